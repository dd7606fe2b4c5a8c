"""Private records: what a member's personal connection brought is theirs alone until shared.

Revision ID: 0009
Revises: 0008

Every graph table that holds source records gains ``private_to``: NULL for the tenant's
shared records, a member's user id for the records of their unshared personal connection
(their mailbox, their calendar). Row security reads it beside the tenant: a record is visible
when it is shared or private to the user the transaction runs for. Both policies are replaced
by the private shape, the permissive one and its restrictive twin on the app role, so no
later permissive policy can widen a private row to colleagues. Maintained sequences (and so
process maps) hold shared activities only; a member's own private activities are merged in
when their map is read.

Owners and admins see that a colleague's connection exists (its provider, owner, status and
whether it is shared), never its records: ``tenant_connections()``, a narrow SECURITY DEFINER
function that checks the caller's role itself and returns those columns only.
"""

from alembic import op

from adapters.postgres.migrations.rls import (
    CURRENT_TENANT,
    CURRENT_USER,
    private_policies,
    tenant_table,
)
from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, SCHEMA

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

S = SCHEMA
PRIVATE_TABLES = (
    "graph_entities",
    "graph_entity_keys",
    "graph_relationships",
    "graph_activities",
    "graph_merges",
)


def upgrade() -> None:
    for table in PRIVATE_TABLES:
        op.execute(f"ALTER TABLE {S}.{table} ADD COLUMN private_to uuid")
        op.execute(f"DROP POLICY {table}_isolation ON {S}.{table}")
        op.execute(f"DROP POLICY {table}_guard ON {S}.{table}")
        for statement in private_policies(table):
            op.execute(statement)
    # A cluster is listed through whichever of its records the reader may see.
    op.execute(
        f"CREATE INDEX graph_entities_clusters ON {S}.graph_entities "
        "(tenant_id, type, canonical_id, entity_id)"
    )
    # A member's own private activities, merged into their maps; and a share's flip.
    op.execute(
        f"CREATE INDEX graph_activities_private ON {S}.graph_activities "
        "(tenant_id, private_to) WHERE private_to IS NOT NULL"
    )
    op.execute(f"CREATE INDEX graph_entities_source ON {S}.graph_entities (tenant_id, scope)")
    for statement in _directory():
        op.execute(statement)


def _directory() -> list[str]:
    fn = "tenant_connections()"
    return [
        # atlas_auth already reads the census columns of every connection (0006).
        f"GRANT SELECT (provider, shared, created_at) ON {S}.connections TO {AUTH_ROLE}",
        f"""
        CREATE FUNCTION {S}.{fn}
        RETURNS TABLE (connection_id uuid, user_id uuid, owner_name text, owner_email text,
                       provider text, status text, shared boolean, created_at timestamptz)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
            SELECT c.connection_id, c.user_id, u.name, u.email, c.provider, c.status,
                   c.shared, c.created_at
            FROM {S}.connections c JOIN {S}.users u ON u.user_id = c.user_id
            WHERE c.tenant_id = {CURRENT_TENANT}
              AND EXISTS (SELECT 1 FROM {S}.memberships m
                          WHERE m.tenant_id = c.tenant_id AND m.user_id = {CURRENT_USER}
                            AND m.role IN ('owner', 'admin'))
            ORDER BY c.created_at, c.connection_id
            LIMIT 10000
        $$""",
        f"REVOKE ALL ON FUNCTION {S}.{fn} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {S}.{fn} TO {APP_ROLE}",
        f"ALTER FUNCTION {S}.{fn} OWNER TO {AUTH_ROLE}",  # last: see 0006
    ]


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {S}.tenant_connections()")
    op.execute(f"REVOKE SELECT (provider, shared, created_at) ON {S}.connections FROM {AUTH_ROLE}")
    op.execute(f"DROP INDEX {S}.graph_entities_source")
    op.execute(f"DROP INDEX {S}.graph_activities_private")
    op.execute(f"DROP INDEX {S}.graph_entities_clusters")
    for table in PRIVATE_TABLES:
        op.execute(f"DROP POLICY {table}_isolation ON {S}.{table}")
        op.execute(f"DROP POLICY {table}_guard ON {S}.{table}")
        for statement in tenant_table(table)[2:]:  # the policies; RLS stays enabled and forced
            op.execute(statement)
        op.execute(f"ALTER TABLE {S}.{table} DROP COLUMN private_to")
