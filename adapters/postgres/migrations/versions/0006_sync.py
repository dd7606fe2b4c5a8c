"""Sync: runs, per-stream progress, checkpoints, schedules; the job queue (PgQueuer).

Revision ID: 0006
Revises: 0005

The sync tables hold one connection's state: private to the connection's owner within the
tenant (row security on ``user_id`` too, like ``connections``), removed with the connection.
At most one run of a connection is active (queued, running, waiting): a unique index says so.
The scheduler finds due connections across tenants through one narrow SECURITY DEFINER census
that returns ids only. PgQueuer's tables live in their own schema, ``atlas_jobs``: global by
design (workers claim jobs of every tenant), holding ids only (a job never carries a token or
content); the app role may read and write them, nothing more.
"""

from alembic import op

from adapters.postgres.jobs_schema import JOBS_SCHEMA, install_statements
from adapters.postgres.migrations.rls import tenant_table
from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, OWNER_ROLE, SCHEMA

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

S = SCHEMA
_CONNECTION = (
    f"FOREIGN KEY (tenant_id, user_id, connection_id) REFERENCES {S}.connections "
    "(tenant_id, user_id, connection_id) ON DELETE CASCADE"
)
ACTIVE = "('queued', 'running', 'waiting')"
STATUSES = "('queued', 'running', 'waiting', 'succeeded', 'failed', 'cancelled')"
TABLES = ("sync_schedules", "sync_runs", "sync_run_streams", "sync_checkpoints")


def upgrade() -> None:
    for statement in _schedules() + _runs() + _checkpoints() + _census() + _jobs():
        op.execute(statement)


def _schedules() -> list[str]:
    return [
        f"""CREATE TABLE {S}.sync_schedules (
            tenant_id uuid NOT NULL,
            user_id uuid NOT NULL,
            connection_id uuid NOT NULL,
            backfill_days integer NOT NULL DEFAULT 90 CHECK (backfill_days BETWEEN 1 AND 730),
            next_run_at timestamptz,
            last_run_id uuid,
            last_success_at timestamptz,
            fence bigint NOT NULL DEFAULT 0,
            CONSTRAINT sync_schedules_pkey PRIMARY KEY (tenant_id, connection_id),
            CONSTRAINT sync_schedules_connection_fkey {_CONNECTION})""",
        f"CREATE INDEX sync_schedules_due ON {S}.sync_schedules (tenant_id, next_run_at)",
        *tenant_table("sync_schedules", user_column="user_id"),
    ]


def _runs() -> list[str]:
    return [
        f"""CREATE TABLE {S}.sync_runs (
            tenant_id uuid NOT NULL,
            user_id uuid NOT NULL,
            run_id uuid NOT NULL,
            connection_id uuid NOT NULL,
            provider text NOT NULL CHECK (provider ~ '^[a-z][a-z_]{{0,39}}$'),
            trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
            status text NOT NULL CHECK (status IN {STATUSES}),
            requested_at timestamptz NOT NULL,
            started_at timestamptz,
            finished_at timestamptz,
            attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
            error text CHECK (length(error) <= 200),
            resume_at timestamptz,
            CONSTRAINT sync_runs_pkey PRIMARY KEY (tenant_id, run_id),
            CONSTRAINT sync_runs_connection_fkey {_CONNECTION})""",
        # The rule "one active run per connection", held by the database itself.
        f"CREATE UNIQUE INDEX sync_runs_one_active ON {S}.sync_runs (tenant_id, connection_id) "
        f"WHERE status IN {ACTIVE}",
        f"CREATE INDEX sync_runs_latest ON {S}.sync_runs "
        "(tenant_id, user_id, connection_id, requested_at DESC, run_id DESC)",
        *tenant_table("sync_runs", user_column="user_id"),
        f"""CREATE TABLE {S}.sync_run_streams (
            tenant_id uuid NOT NULL,
            user_id uuid NOT NULL,
            run_id uuid NOT NULL,
            stream text NOT NULL CHECK (length(stream) BETWEEN 1 AND 200),
            pages integer NOT NULL DEFAULT 0,
            fetched bigint NOT NULL DEFAULT 0,
            records_new bigint NOT NULL DEFAULT 0,
            records_changed bigint NOT NULL DEFAULT 0,
            records_deleted bigint NOT NULL DEFAULT 0,
            errors integer NOT NULL DEFAULT 0,
            position timestamptz,
            finished_at timestamptz,
            CONSTRAINT sync_run_streams_pkey PRIMARY KEY (tenant_id, run_id, stream),
            CONSTRAINT sync_run_streams_run_fkey FOREIGN KEY (tenant_id, run_id)
                REFERENCES {S}.sync_runs (tenant_id, run_id) ON DELETE CASCADE)""",
        *tenant_table("sync_run_streams", user_column="user_id"),
    ]


def _checkpoints() -> list[str]:
    return [
        f"""CREATE TABLE {S}.sync_checkpoints (
            tenant_id uuid NOT NULL,
            user_id uuid NOT NULL,
            connection_id uuid NOT NULL,
            stream text NOT NULL CHECK (length(stream) BETWEEN 1 AND 200),
            cursor bytea NOT NULL CHECK (octet_length(cursor) <= 65536),
            position timestamptz,
            updated_at timestamptz NOT NULL,
            CONSTRAINT sync_checkpoints_pkey PRIMARY KEY (tenant_id, connection_id, stream),
            CONSTRAINT sync_checkpoints_connection_fkey {_CONNECTION})""",
        *tenant_table("sync_checkpoints", user_column="user_id"),
    ]


def _census() -> list[str]:
    return [
        # The scheduler runs as the app role, which sees nothing without a scope. This tells it
        # which connections are due: ids only. atlas_auth reads only these columns.
        f"GRANT SELECT (tenant_id, user_id, connection_id, status) ON {S}.connections "
        f"TO {AUTH_ROLE}",
        f"GRANT SELECT (tenant_id, connection_id, next_run_at) ON {S}.sync_schedules "
        f"TO {AUTH_ROLE}",
        *(
            f"CREATE POLICY {table}_census ON {S}.{table} FOR SELECT TO {AUTH_ROLE} USING (true)"
            for table in ("connections", "sync_schedules")
        ),
        f"""
        CREATE FUNCTION {S}.sync_due_connections(p_now timestamptz, p_limit integer)
        RETURNS TABLE (tenant_id uuid, user_id uuid, connection_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
            SELECT c.tenant_id, c.user_id, c.connection_id
            FROM {S}.connections c
            LEFT JOIN {S}.sync_schedules s
                ON s.tenant_id = c.tenant_id AND s.connection_id = c.connection_id
            WHERE c.status IN ('active', 'error')
              AND (s.next_run_at IS NULL OR s.next_run_at <= p_now)
            ORDER BY s.next_run_at NULLS FIRST, c.tenant_id, c.connection_id
            LIMIT least(greatest(p_limit, 0), 10000)
        $$""",
        # For operators (``atlas sync``, ``atlas sync status``): whose scope a connection is in.
        f"""
        CREATE FUNCTION {S}.sync_connection_scopes(p_connection_id uuid)
        RETURNS TABLE (tenant_id uuid, user_id uuid, connection_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
            SELECT c.tenant_id, c.user_id, c.connection_id FROM {S}.connections c
            WHERE p_connection_id IS NULL OR c.connection_id = p_connection_id
            ORDER BY c.tenant_id, c.connection_id
            LIMIT 10000
        $$""",
        *(
            statement
            for fn in (
                "sync_due_connections(timestamptz, integer)",
                "sync_connection_scopes(uuid)",
            )
            for statement in (
                f"REVOKE ALL ON FUNCTION {S}.{fn} FROM PUBLIC",
                f"GRANT EXECUTE ON FUNCTION {S}.{fn} TO {APP_ROLE}",
                # Last: the grants move with ownership, and the owner (NOINHERIT) cannot change
                # a function's privileges once atlas_auth owns it.
                f"ALTER FUNCTION {S}.{fn} OWNER TO {AUTH_ROLE}",
            )
        ),
    ]


def _jobs() -> list[str]:
    return [
        *install_statements(),
        f"GRANT USAGE ON SCHEMA {JOBS_SCHEMA} TO {APP_ROLE}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {JOBS_SCHEMA} TO {APP_ROLE}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {JOBS_SCHEMA} TO {APP_ROLE}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA {JOBS_SCHEMA} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA {JOBS_SCHEMA} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}",
    ]


def downgrade() -> None:
    op.execute(f"DROP SCHEMA IF EXISTS {JOBS_SCHEMA} CASCADE")
    op.execute(f"DROP FUNCTION IF EXISTS {S}.sync_due_connections(timestamptz, integer)")
    op.execute(f"DROP FUNCTION IF EXISTS {S}.sync_connection_scopes(uuid)")
    for table in ("connections", "sync_schedules"):
        op.execute(f"DROP POLICY IF EXISTS {table}_census ON {S}.{table}")
    op.execute(f"REVOKE SELECT ON {S}.connections FROM {AUTH_ROLE}")
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE IF EXISTS {S}.{table}")
