"""Tenant deletion protection: pending deletion, its grace, the trigger refusing early deletes.

Revision ID: 0015
Revises: 0014

A tenant pending deletion carries ``deletion_requested_at``, ``deletion_requested_by`` and
``purge_after``; the grace is at least 30 days, a CHECK says so. ``tenants_deletion_guard``
refuses ``DELETE FROM atlas.tenants`` (SQLSTATE ATD01) for a row that is not past
``purge_after`` by the database's own clock, whatever the role: triggers bind the owner too
(only a superuser, or the owner changing the schema on purpose, can take a trigger away).
``tenants_deletion_stamp`` keeps the service from backdating a request: a new request must be
stamped with the database's time, and a pending one cannot be moved (SQLSTATE ATD02); the
owner role is exempt, so operators and tests can age a request.

``purge_tenant(uuid)`` is the one path that deletes a tenant: a SECURITY DEFINER function owned
by ``atlas_auth``, callable only in the scope of the tenant it purges. It sets the
transaction-local ``atlas.purging_tenant`` to the tenant id, deletes the three graph tables
that do not cascade (activities have no foreign keys on purpose, sequences and merges refuse
to lose their entities), then the tenant row, which cascades to every other tenant table. It
returns the rows each table lost in this transaction. ``tenant_purge_sanctioned(uuid)`` tells
another table's trigger whether a delete is that purge (the setting alone could be forged).

``tenant_deletions`` is global and outlives the tenant: who asked, when, the restore or the
purge, and what the purge removed. It names the tenant ``deleted_tenant_id`` on purpose, so
no catalog check mistakes it for a tenant table that the purge should empty.
"""

from alembic import op

from adapters.postgres.jobs_schema import JOBS_SCHEMA
from adapters.postgres.migrations.rls import CURRENT_TENANT
from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, OWNER_ROLE, SCHEMA

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

S = SCHEMA
GRACE = "interval '30 days'"
UNCASCADED = ("graph_sequences", "graph_merges", "graph_activities")
_DEFINERS = (
    "purge_tenant(uuid)",
    "tenant_purge_sanctioned(uuid)",
    "tenants_due_for_purge(timestamptz, integer)",
    "tenant_purge_connections()",
    "sync_due_connections(timestamptz, integer)",
)
_DEFINER = "SECURITY DEFINER SET search_path = ''"
_UNCASCADED_DELETES = " ".join(
    f"DELETE FROM {S}.{t} WHERE tenant_id = p_tenant;" for t in UNCASCADED
)


def upgrade() -> None:
    for statement in (*_columns(), *_triggers(), *_record(), *_purge(), *_census(), *_grants()):
        op.execute(statement)


def _columns() -> list[str]:
    return [
        f"ALTER TABLE {S}.tenants ADD COLUMN deletion_requested_at timestamptz, "
        "ADD COLUMN deletion_requested_by uuid, ADD COLUMN purge_after timestamptz",
        f"""ALTER TABLE {S}.tenants ADD CONSTRAINT tenants_deletion_whole CHECK (
            (deletion_requested_at IS NULL) = (purge_after IS NULL)
            AND (deletion_requested_at IS NULL) = (deletion_requested_by IS NULL))""",
        f"ALTER TABLE {S}.tenants ADD CONSTRAINT tenants_deletion_grace CHECK ("
        f"purge_after IS NULL OR purge_after >= deletion_requested_at + {GRACE})",
    ]


def _triggers() -> list[str]:
    return [
        f"""
        CREATE FUNCTION {S}.tenants_deletion_guard() RETURNS trigger
        LANGUAGE plpgsql SET search_path = '' AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                RAISE EXCEPTION 'tenants are never truncated; each is purged after its grace'
                    USING ERRCODE = 'ATD01';
            END IF;
            IF OLD.purge_after IS NULL OR OLD.purge_after > pg_catalog.now() THEN
                RAISE EXCEPTION 'tenant % is not past its deletion grace period', OLD.tenant_id
                    USING ERRCODE = 'ATD01',
                          DETAIL = 'purge_after: ' || coalesce(OLD.purge_after::text, 'none');
            END IF;
            RETURN OLD;
        END $$""",
        f"CREATE TRIGGER tenants_deletion_guard BEFORE DELETE ON {S}.tenants "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.tenants_deletion_guard()",
        f"CREATE TRIGGER tenants_truncate_guard BEFORE TRUNCATE ON {S}.tenants "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {S}.tenants_deletion_guard()",
        # The delete guard trusts purge_after, so the service may not write it freely: a new
        # request is stamped with the database's clock (minutes of skew allowed), and a pending
        # request is only ever cleared (restore), never moved.
        f"""
        CREATE FUNCTION {S}.tenants_deletion_stamp() RETURNS trigger
        LANGUAGE plpgsql SET search_path = '' AS $$
        BEGIN
            IF current_user = '{OWNER_ROLE}' OR NEW.deletion_requested_at IS NULL THEN
                RETURN NEW;
            END IF;
            IF TG_OP = 'UPDATE' AND OLD.deletion_requested_at IS NOT NULL THEN
                IF (NEW.deletion_requested_at, NEW.deletion_requested_by, NEW.purge_after)
                   IS DISTINCT FROM
                   (OLD.deletion_requested_at, OLD.deletion_requested_by, OLD.purge_after) THEN
                    RAISE EXCEPTION 'a pending deletion of tenant % cannot be moved',
                        OLD.tenant_id USING ERRCODE = 'ATD02';
                END IF;
                RETURN NEW;
            END IF;
            IF abs(extract(epoch FROM NEW.deletion_requested_at - pg_catalog.now())) > 600 THEN
                RAISE EXCEPTION 'a deletion request must be stamped with the current time'
                    USING ERRCODE = 'ATD02';
            END IF;
            RETURN NEW;
        END $$""",
        f"CREATE TRIGGER tenants_deletion_stamp BEFORE INSERT OR UPDATE ON {S}.tenants "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.tenants_deletion_stamp()",
    ]


def _record() -> list[str]:
    tenant = f"deleted_tenant_id = {CURRENT_TENANT}"
    return [
        f"""CREATE TABLE {S}.tenant_deletions (
            deletion_id uuid PRIMARY KEY,
            deleted_tenant_id uuid NOT NULL,
            requested_at timestamptz NOT NULL,
            requested_by uuid NOT NULL,
            purge_after timestamptz NOT NULL,
            restored_at timestamptz,
            restored_by uuid,
            purged_at timestamptz,
            rows_removed jsonb CHECK (jsonb_typeof(rows_removed) = 'object'),
            revocations jsonb CHECK (jsonb_typeof(revocations) = 'object'),
            CONSTRAINT tenant_deletions_one_end CHECK (restored_at IS NULL OR purged_at IS NULL),
            CONSTRAINT tenant_deletions_restorer CHECK
                ((restored_at IS NULL) = (restored_by IS NULL)))""",
        # At most one request a tenant is living under (a restored one is history).
        f"CREATE UNIQUE INDEX tenant_deletions_open ON {S}.tenant_deletions "
        "(deleted_tenant_id) WHERE restored_at IS NULL",
        f"ALTER TABLE {S}.tenant_deletions ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.tenant_deletions FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY tenant_deletions_own ON {S}.tenant_deletions "
        f"USING ({tenant}) WITH CHECK ({tenant})",
        f"CREATE POLICY tenant_deletions_guard ON {S}.tenant_deletions AS RESTRICTIVE "
        f"TO {APP_ROLE} USING ({tenant}) WITH CHECK ({tenant})",
        # The record is what stays: the service never deletes it.
        f"REVOKE DELETE ON {S}.tenant_deletions FROM {APP_ROLE}",
    ]


def _purge() -> list[str]:
    return [
        # atlas_auth deletes the tables that do not cascade, every row of the scope's tenant
        # (a private row too), and the tenant row; the cascades run as the tables' owner.
        *(f"GRANT SELECT, DELETE ON {S}.{table} TO {AUTH_ROLE}" for table in UNCASCADED),
        *(
            f"CREATE POLICY {table}_purge_{cmd.lower()} ON {S}.{table} FOR {cmd} "
            f"TO {AUTH_ROLE} USING (tenant_id = {CURRENT_TENANT})"
            for table in UNCASCADED
            for cmd in ("SELECT", "DELETE")
        ),
        f"GRANT DELETE ON {S}.tenants TO {AUTH_ROLE}",
        f"CREATE POLICY tenants_purge ON {S}.tenants FOR DELETE TO {AUTH_ROLE} "
        f"USING (tenant_id = {CURRENT_TENANT})",
        f"""
        CREATE FUNCTION {S}.purge_tenant(p_tenant uuid) RETURNS jsonb
        LANGUAGE plpgsql VOLATILE {_DEFINER} AS $$
        DECLARE
            removed jsonb;
        BEGIN
            IF p_tenant IS DISTINCT FROM {CURRENT_TENANT} THEN
                RAISE EXCEPTION 'a tenant is purged in its own scope' USING ERRCODE = '42501';
            END IF;
            IF NOT EXISTS (SELECT 1 FROM {S}.tenants t WHERE t.tenant_id = p_tenant) THEN
                RETURN NULL;  -- purged already: the delete below was all or nothing
            END IF;
            PERFORM pg_catalog.set_config('atlas.purging_tenant', p_tenant::text, true);
            {_UNCASCADED_DELETES}
            DELETE FROM {S}.tenants WHERE tenant_id = p_tenant;  -- the guard has the last word
            SELECT coalesce(pg_catalog.jsonb_object_agg(
                       s.schemaname || '.' || s.relname, s.n_tup_del), '{{}}'::jsonb)
              INTO removed
              FROM pg_catalog.pg_stat_xact_user_tables s
             WHERE s.n_tup_del > 0 AND s.schemaname IN ('{S}', '{JOBS_SCHEMA}');
            RETURN removed;
        END $$""",
        # For the triggers of other tenant tables that refuse deletes (the audit trail): true
        # only inside purge_tenant's transaction for that tenant, once it is past its grace.
        f"""
        CREATE FUNCTION {S}.tenant_purge_sanctioned(p_tenant uuid) RETURNS boolean
        LANGUAGE sql STABLE {_DEFINER} AS $$
            SELECT coalesce(pg_catalog.current_setting('atlas.purging_tenant', true), '')
                       = p_tenant::text
               AND NOT EXISTS (SELECT 1 FROM {S}.tenants t WHERE t.tenant_id = p_tenant
                               AND (t.purge_after IS NULL OR t.purge_after > pg_catalog.now()))
        $$""",
    ]


def _census() -> list[str]:
    return [
        # The purge job's census: ids of tenants past their grace by the caller's clock and by
        # the database's (the trigger's), so no grant is given back before the delete can run.
        f"""
        CREATE FUNCTION {S}.tenants_due_for_purge(p_now timestamptz, p_limit integer)
        RETURNS TABLE (tenant_id uuid, purge_after timestamptz)
        LANGUAGE sql STABLE {_DEFINER} AS $$
            SELECT t.tenant_id, t.purge_after FROM {S}.tenants t
            WHERE t.purge_after <= least(p_now, pg_catalog.now())
            ORDER BY t.purge_after, t.tenant_id
            LIMIT least(greatest(p_limit, 0), 1000)
        $$""",
        # Whose connections the purge must give back: the scope's tenant only, and only once
        # it is pending deletion (members' private connections are otherwise out of reach).
        f"""
        CREATE FUNCTION {S}.tenant_purge_connections()
        RETURNS TABLE (user_id uuid, connection_id uuid)
        LANGUAGE sql STABLE {_DEFINER} AS $$
            SELECT c.user_id, c.connection_id FROM {S}.connections c
            WHERE c.tenant_id = {CURRENT_TENANT}
              AND EXISTS (SELECT 1 FROM {S}.tenants t WHERE t.tenant_id = c.tenant_id
                          AND t.deletion_requested_at IS NOT NULL)
            ORDER BY c.user_id, c.connection_id
            LIMIT 10000
        $$""",
        # The scheduler passes over tenants pending deletion: they are read-only.
        f"DROP FUNCTION {S}.sync_due_connections(timestamptz, integer)",
        _due_connections(
            f"AND NOT EXISTS (SELECT 1 FROM {S}.tenants t WHERE t.tenant_id = c.tenant_id "
            "AND t.deletion_requested_at IS NOT NULL)"
        ),
    ]


def _due_connections(extra: str = "") -> str:
    return f"""
        CREATE FUNCTION {S}.sync_due_connections(p_now timestamptz, p_limit integer)
        RETURNS TABLE (tenant_id uuid, user_id uuid, connection_id uuid)
        LANGUAGE sql STABLE {_DEFINER} AS $$
            SELECT c.tenant_id, c.user_id, c.connection_id
            FROM {S}.connections c
            LEFT JOIN {S}.sync_schedules s
                ON s.tenant_id = c.tenant_id AND s.connection_id = c.connection_id
            WHERE c.status IN ('active', 'error')
              AND (s.next_run_at IS NULL OR s.next_run_at <= p_now)
              {extra}
            ORDER BY s.next_run_at NULLS FIRST, c.tenant_id, c.connection_id
            LIMIT least(greatest(p_limit, 0), 10000)
        $$"""


def _grants(functions: tuple[str, ...] = _DEFINERS) -> list[str]:
    return [
        statement
        for fn in functions
        for statement in (
            f"REVOKE ALL ON FUNCTION {S}.{fn} FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {S}.{fn} TO {APP_ROLE}",
            # A cascade runs its tables' triggers as their owner: the audit trail's asks this.
            *(
                [f"GRANT EXECUTE ON FUNCTION {S}.{fn} TO {OWNER_ROLE}"]
                if "sanctioned" in fn
                else []
            ),
            f"ALTER FUNCTION {S}.{fn} OWNER TO {AUTH_ROLE}",  # last: see 0006
        )
    ]


def downgrade() -> None:
    statements = [
        f"DROP FUNCTION {S}.sync_due_connections(timestamptz, integer)",
        _due_connections(),
        *_grants(("sync_due_connections(timestamptz, integer)",)),
        *(f"DROP FUNCTION IF EXISTS {S}.{fn}" for fn in _DEFINERS[:4]),
        f"DROP POLICY IF EXISTS tenants_purge ON {S}.tenants",
        f"REVOKE DELETE ON {S}.tenants FROM {AUTH_ROLE}",
        *(
            f"DROP POLICY IF EXISTS {table}_purge_{cmd} ON {S}.{table}"
            for table in UNCASCADED
            for cmd in ("select", "delete")
        ),
        *(f"REVOKE SELECT, DELETE ON {S}.{table} FROM {AUTH_ROLE}" for table in UNCASCADED),
        f"DROP TABLE IF EXISTS {S}.tenant_deletions",
        f"DROP TRIGGER IF EXISTS tenants_deletion_stamp ON {S}.tenants",
        f"DROP TRIGGER IF EXISTS tenants_truncate_guard ON {S}.tenants",
        f"DROP TRIGGER IF EXISTS tenants_deletion_guard ON {S}.tenants",
        f"DROP FUNCTION IF EXISTS {S}.tenants_deletion_stamp()",
        f"DROP FUNCTION IF EXISTS {S}.tenants_deletion_guard()",
        f"ALTER TABLE {S}.tenants DROP CONSTRAINT tenants_deletion_grace, "
        "DROP CONSTRAINT tenants_deletion_whole, DROP COLUMN purge_after, "
        "DROP COLUMN deletion_requested_by, DROP COLUMN deletion_requested_at",
    ]
    for statement in statements:
        op.execute(statement)
