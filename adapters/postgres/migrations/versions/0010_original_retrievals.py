"""Originals on demand: the audit of who retrieved which record's original.

Revision ID: 0010
Revises: 0009

An original is fetched live and handed to the member who asked; nothing of it is stored. What
is stored is one row per attempt: who, which record and source reference, how it ended. A row
is private to the member who made it (row security on ``user_id`` as well, like the sync
tables): the reference of a record from a personal mailbox says something about that mailbox.
There is no foreign key to the membership on purpose: the audit outlives a member's departure.
"""

from alembic import op

from adapters.postgres.migrations.rls import tenant_table
from adapters.postgres.roles import SCHEMA

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

S = SCHEMA
OUTCOMES = "('ok', 'gone', 'reauth', 'unavailable', 'refused', 'unsupported')"


def upgrade() -> None:
    statements = [
        f"""CREATE TABLE {S}.original_retrievals (
            tenant_id uuid NOT NULL REFERENCES {S}.tenants (tenant_id) ON DELETE CASCADE,
            retrieval_id uuid NOT NULL,
            user_id uuid NOT NULL,
            record_kind text NOT NULL CHECK (record_kind IN ('activity', 'entity')),
            record_id uuid NOT NULL,
            provider text NOT NULL,
            scope text NOT NULL,
            source_id text NOT NULL,  -- as the graph holds it, whatever its length
            outcome text NOT NULL CHECK (outcome IN {OUTCOMES}),
            retrieved_at timestamptz NOT NULL,
            CONSTRAINT original_retrievals_pkey PRIMARY KEY (tenant_id, retrieval_id))""",
        f"CREATE INDEX original_retrievals_record ON {S}.original_retrievals "
        "(tenant_id, record_id, retrieved_at)",
        *tenant_table("original_retrievals", user_column="user_id"),
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP TABLE IF EXISTS {S}.original_retrievals")
