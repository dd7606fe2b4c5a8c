"""Activities found by their source id: an index for what a sync asks of the graph.

Revision ID: 0007
Revises: 0006

A connector asks which activities of a connection the graph holds under a source id prefix
(a Slack channel's messages, ``msg:<channel>:``) before it mirrors deletions. Without an index
each such question read every activity of the tenant: 160 channels made an incremental Slack
pass take ~10 s. The column is indexed in the "C" collation, byte order, so a prefix is one
range scan whatever the database's locale.
"""

from alembic import op

from adapters.postgres.roles import SCHEMA

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        f"CREATE INDEX graph_activities_source ON {SCHEMA}.graph_activities "
        '(tenant_id, scope, source_id COLLATE "C")'
    )


def downgrade() -> None:
    op.execute(f"DROP INDEX {SCHEMA}.graph_activities_source")
