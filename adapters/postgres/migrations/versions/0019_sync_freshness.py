"""Sync freshness for the operators' metrics: per provider, how stale the stalest active
connection is.

Revision ID: 0019
Revises: 0018

The metrics read it on each scrape as the app role, which sees no tenant's rows without a
scope. Like the scheduler's census (0006), one narrow SECURITY DEFINER function owned by
``atlas_auth`` answers across tenants, and answers aggregates only: a provider key, a count and
an age; never a tenant, a user or a connection.
"""

from alembic import op

from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, SCHEMA

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

S = SCHEMA
_FN = "sync_freshness()"


def upgrade() -> None:
    for statement in (
        f"GRANT SELECT (provider, created_at) ON {S}.connections TO {AUTH_ROLE}",
        f"GRANT SELECT (last_success_at) ON {S}.sync_schedules TO {AUTH_ROLE}",
        f"""
        CREATE FUNCTION {S}.sync_freshness()
        RETURNS TABLE (provider text, connections bigint, stalest_seconds double precision)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
            SELECT c.provider, count(*),
                   max(extract(epoch FROM now() - coalesce(s.last_success_at, c.created_at)))
                       ::double precision
            FROM {S}.connections c
            LEFT JOIN {S}.sync_schedules s
                ON s.tenant_id = c.tenant_id AND s.connection_id = c.connection_id
            WHERE c.status = 'active'
            GROUP BY c.provider
        $$""",
        f"REVOKE ALL ON FUNCTION {S}.{_FN} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {S}.{_FN} TO {APP_ROLE}",
        f"ALTER FUNCTION {S}.{_FN} OWNER TO {AUTH_ROLE}",  # last: grants move with ownership
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {S}.{_FN}")
    op.execute(f"REVOKE SELECT (last_success_at) ON {S}.sync_schedules FROM {AUTH_ROLE}")
    op.execute(f"REVOKE SELECT (provider, created_at) ON {S}.connections FROM {AUTH_ROLE}")
