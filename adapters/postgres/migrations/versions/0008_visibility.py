"""Who sees what: personal connections shared with the tenant, and the viewer role.

Revision ID: 0008
Revises: 0007

A personal connection (one person's mailbox or calendar) is private to the member who made it
until they share it with the tenant: ``connections.shared``. A ``viewer`` reads the graph and
connects nothing.
"""

from alembic import op

from adapters.postgres.roles import SCHEMA

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

S = SCHEMA
ROLES = "('owner', 'admin', 'member', 'viewer')"
OLD_ROLES = "('owner', 'admin', 'member')"


def upgrade() -> None:
    for statement in _connections() + _roles(ROLES):
        op.execute(statement)


def _connections() -> list[str]:
    return [f"ALTER TABLE {S}.connections ADD COLUMN shared boolean NOT NULL DEFAULT false"]


def _roles(allowed: str, *, checked: bool = True) -> list[str]:
    return [
        statement
        for table in ("memberships", "invitations")
        for statement in (
            f"ALTER TABLE {S}.{table} DROP CONSTRAINT {table}_role_check",
            f"ALTER TABLE {S}.{table} ADD CONSTRAINT {table}_role_check "
            f"CHECK (role IN {allowed}){'' if checked else ' NOT VALID'}",
        )
    ]


def downgrade() -> None:
    # Row security hides the tenants' rows from the migration: existing viewers are kept (the
    # old check is not validated against them), new rows must fit it again.
    for statement in _roles(OLD_ROLES, checked=False):
        op.execute(statement)
    op.execute(f"ALTER TABLE {S}.connections DROP COLUMN shared")
