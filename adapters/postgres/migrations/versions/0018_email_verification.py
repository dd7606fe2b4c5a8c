"""Email verification: the users' verified mark and their pending verification links.

Revision ID: 0018
Revises: 0017

``users.email_verified_at`` is when the address was proven (a followed link or an accepted
invitation). Accounts that exist when this runs predate the rule: they are marked verified at
the migration's time, so nobody already inviting or connecting is locked out by an upgrade.

``email_verifications`` holds one pending link per user, as the SHA-256 of its token only. It
is apart from ``users`` because colleagues may read a user's row (``users_colleagues``) and
must not see even a digest; like ``credentials`` it is the user's own row alone, and it goes
with the user (the erasure deletes the user: the cascade takes the link).
"""

from alembic import op

from adapters.postgres.migrations.rls import CURRENT_USER
from adapters.postgres.roles import SCHEMA

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

S = SCHEMA


def upgrade() -> None:
    own_row = f"user_id = {CURRENT_USER}"
    for statement in (
        # A default fills the existing rows in the DDL itself (row security does not apply to
        # it, as it would to an UPDATE run as the owner); dropped at once for new rows.
        f"ALTER TABLE {S}.users ADD COLUMN email_verified_at timestamptz DEFAULT now()",
        f"ALTER TABLE {S}.users ALTER COLUMN email_verified_at DROP DEFAULT",
        f"""
        CREATE TABLE {S}.email_verifications (
            user_id uuid PRIMARY KEY REFERENCES {S}.users (user_id) ON DELETE CASCADE,
            token_digest bytea NOT NULL CHECK (length(token_digest) = 32),
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL
        )""",
        f"ALTER TABLE {S}.email_verifications ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.email_verifications FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY email_verifications_self ON {S}.email_verifications "
        f"USING ({own_row}) WITH CHECK ({own_row})",
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP TABLE IF EXISTS {S}.email_verifications")
    op.execute(f"ALTER TABLE {S}.users DROP COLUMN IF EXISTS email_verified_at")
