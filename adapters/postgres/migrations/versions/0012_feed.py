"""The realtime feed's outbox: numbered tenant events, and the notices that wake listeners.

Revision ID: 0012
Revises: 0011

``tenant_events`` holds what the feed tells members, written in the transaction of the change
it announces. ``tenant_event_heads`` numbers them: the writer takes the tenant's row lock to
move ``last_seq``, so events commit in ``seq`` order and a rolled-back transaction gives its
numbers back (gapless). ``floor_seq`` is the last number pruned: a client resuming below it
must reload instead.

Private events (from an unshared personal source) carry ``private_to`` under the same policies
as the graph's private records. The API processes fan events out through two narrow
SECURITY DEFINER readers owned by ``atlas_auth`` (one tenant at a time, every column but
nothing else); the worker prunes through a third. ``NOTIFY atlas_feed`` carries
``<tenant>:<seq>`` and nothing more. Ending a session or changing a membership notifies
``atlas_sessions`` with ``<tenant>:<user>`` from triggers, so every path that ends one (log out,
log out everywhere, reuse, a password change, a removal, a new role) reaches open sockets.
"""

from alembic import op

from adapters.postgres.migrations.rls import private_policies, tenant_table
from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, SCHEMA

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

S = SCHEMA
KINDS = (
    "'sync.started', 'sync.progress', 'sync.finished', 'sync.failed', 'connection.status', "
    "'graph.changed', 'import.progress', 'import.finished', 'member.changed', 'security.alert'"
)
_FUNCTIONS = (
    "feed_tenant_events(uuid, bigint, integer)",
    "feed_tenant_heads(uuid[])",
    "feed_prune(timestamptz, bigint)",
)


def upgrade() -> None:
    for statement in (*_tables(), *_readers(), *_session_notices()):
        op.execute(statement)


def _tables() -> list[str]:
    return [
        f"""CREATE TABLE {S}.tenant_event_heads (
            tenant_id uuid NOT NULL REFERENCES {S}.tenants (tenant_id) ON DELETE CASCADE,
            last_seq bigint NOT NULL CHECK (last_seq >= 0),
            floor_seq bigint NOT NULL DEFAULT 0 CHECK (floor_seq BETWEEN 0 AND last_seq),
            CONSTRAINT tenant_event_heads_pkey PRIMARY KEY (tenant_id))""",
        *tenant_table("tenant_event_heads"),
        f"""CREATE TABLE {S}.tenant_events (
            tenant_id uuid NOT NULL REFERENCES {S}.tenants (tenant_id) ON DELETE CASCADE,
            seq bigint NOT NULL CHECK (seq > 0),
            kind text NOT NULL CHECK (kind IN ({KINDS})),
            visibility text NOT NULL CHECK (visibility IN ('members', 'admins', 'private')),
            private_to uuid,
            data jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object'),
            created_at timestamptz NOT NULL,
            CONSTRAINT tenant_events_pkey PRIMARY KEY (tenant_id, seq),
            CONSTRAINT tenant_events_private CHECK
                ((visibility = 'private') = (private_to IS NOT NULL)))""",
        f"ALTER TABLE {S}.tenant_events ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.tenant_events FORCE ROW LEVEL SECURITY",
        *private_policies("tenant_events"),
        # The outbox is append-only for the app: nobody rewrites what was announced.
        f"REVOKE UPDATE, DELETE ON {S}.tenant_events FROM {APP_ROLE}",
        f"REVOKE DELETE ON {S}.tenant_event_heads FROM {APP_ROLE}",
    ]


def _readers() -> list[str]:
    return [
        f"GRANT SELECT, DELETE ON {S}.tenant_events TO {AUTH_ROLE}",
        f"GRANT SELECT, UPDATE (floor_seq) ON {S}.tenant_event_heads TO {AUTH_ROLE}",
        *(
            f"CREATE POLICY {table}_feed_{cmd.lower()} ON {S}.{table} FOR {cmd} "
            f"TO {AUTH_ROLE} USING (true){' WITH CHECK (true)' if cmd == 'UPDATE' else ''}"
            for table, commands in (
                ("tenant_events", ("SELECT", "DELETE")),
                ("tenant_event_heads", ("SELECT", "UPDATE")),
            )
            for cmd in commands
        ),
        # The fan-out: one tenant's events after a number, every audience (each API process
        # decides per socket who may have which; the tenant is always named by the caller).
        f"""
        CREATE FUNCTION {S}.feed_tenant_events(p_tenant uuid, p_after bigint, p_limit integer)
        RETURNS TABLE (seq bigint, kind text, visibility text, private_to uuid, data jsonb,
                       created_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
            SELECT e.seq, e.kind, e.visibility, e.private_to, e.data, e.created_at
            FROM {S}.tenant_events e
            WHERE e.tenant_id = p_tenant AND e.seq > p_after
            ORDER BY e.seq
            LIMIT least(greatest(p_limit, 0), 10000)
        $$""",
        f"""
        CREATE FUNCTION {S}.feed_tenant_heads(p_tenants uuid[])
        RETURNS TABLE (tenant_id uuid, last_seq bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
            SELECT t.id, coalesce(h.last_seq, 0)
            FROM unnest(p_tenants[1:10000]) AS t(id)
            LEFT JOIN {S}.tenant_event_heads h ON h.tenant_id = t.id
        $$""",
        # Retention: an event goes once it is older than p_before AND more than p_keep
        # newer events of its tenant exist; the floor records how far pruning reached.
        f"""
        CREATE FUNCTION {S}.feed_prune(p_before timestamptz, p_keep bigint)
        RETURNS bigint LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = '' AS $$
            WITH gone AS (
                DELETE FROM {S}.tenant_events e
                USING {S}.tenant_event_heads h
                WHERE h.tenant_id = e.tenant_id
                  AND e.seq <= h.last_seq - greatest(p_keep, 0)
                  AND e.created_at < p_before
                RETURNING e.tenant_id, e.seq
            ), floors AS (
                SELECT tenant_id, max(seq) AS seq FROM gone GROUP BY tenant_id
            ), moved AS (
                UPDATE {S}.tenant_event_heads h SET floor_seq = greatest(h.floor_seq, f.seq)
                FROM floors f WHERE h.tenant_id = f.tenant_id
                RETURNING 1
            )
            SELECT count(*) FROM gone
        $$""",
        *(
            statement
            for fn in _FUNCTIONS
            for statement in (
                f"REVOKE ALL ON FUNCTION {S}.{fn} FROM PUBLIC",
                f"GRANT EXECUTE ON FUNCTION {S}.{fn} TO {APP_ROLE}",
                f"ALTER FUNCTION {S}.{fn} OWNER TO {AUTH_ROLE}",  # last: see 0006
            )
        ),
    ]


def _session_notices() -> list[str]:
    return [
        f"""
        CREATE FUNCTION {S}.notify_session_change() RETURNS trigger
        LANGUAGE plpgsql SET search_path = '' AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                PERFORM pg_catalog.pg_notify(
                    'atlas_sessions', OLD.tenant_id::text || ':' || OLD.user_id::text);
            ELSE
                PERFORM pg_catalog.pg_notify(
                    'atlas_sessions', NEW.tenant_id::text || ':' || NEW.user_id::text);
            END IF;
            RETURN NULL;
        END $$""",
        f"""CREATE TRIGGER refresh_families_ended AFTER UPDATE OF revoked_at
            ON {S}.refresh_families FOR EACH ROW
            WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
            EXECUTE FUNCTION {S}.notify_session_change()""",
        f"""CREATE TRIGGER memberships_changed AFTER UPDATE OF role OR DELETE
            ON {S}.memberships FOR EACH ROW
            EXECUTE FUNCTION {S}.notify_session_change()""",
    ]


def downgrade() -> None:
    op.execute(f"DROP TRIGGER IF EXISTS memberships_changed ON {S}.memberships")
    op.execute(f"DROP TRIGGER IF EXISTS refresh_families_ended ON {S}.refresh_families")
    op.execute(f"DROP FUNCTION IF EXISTS {S}.notify_session_change()")
    for fn in _FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {S}.{fn}")
    op.execute(f"DROP TABLE IF EXISTS {S}.tenant_events")
    op.execute(f"DROP TABLE IF EXISTS {S}.tenant_event_heads")
