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
"""

from alembic import op

from adapters.postgres.migrations.rls import private_policies, tenant_table
from adapters.postgres.roles import SCHEMA

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


def downgrade() -> None:
    op.execute(f"DROP INDEX {S}.graph_entities_source")
    op.execute(f"DROP INDEX {S}.graph_activities_private")
    op.execute(f"DROP INDEX {S}.graph_entities_clusters")
    for table in PRIVATE_TABLES:
        op.execute(f"DROP POLICY {table}_isolation ON {S}.{table}")
        op.execute(f"DROP POLICY {table}_guard ON {S}.{table}")
        for statement in tenant_table(table)[2:]:  # the policies; RLS stays enabled and forced
            op.execute(statement)
        op.execute(f"ALTER TABLE {S}.{table} DROP COLUMN private_to")
