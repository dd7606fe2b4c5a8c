"""Backups: the read-only atlas_backup role's grants (issue 13).

Revision ID: 0016
Revises: 0015

The role itself is created by provisioning (the owner may not create roles). Where it does not
exist yet the grants are skipped, not failed: ``atlas db provision`` creates it and gives the
same grants as the owner (adapters/postgres/backup_grants.py).
"""

from alembic import op

from adapters.postgres.backup_grants import BACKED_UP_SCHEMAS, guarded_backup_grants
from adapters.postgres.roles import BACKUP_ROLE, OWNER_ROLE

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(guarded_backup_grants())


def downgrade() -> None:
    schemas = ", ".join(BACKED_UP_SCHEMAS)
    op.execute(
        f"""
        DO $revoke$
        BEGIN
          IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{BACKUP_ROLE}') THEN
            EXECUTE 'REVOKE ALL ON ALL TABLES IN SCHEMA {schemas} FROM {BACKUP_ROLE}';
            EXECUTE 'REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schemas} FROM {BACKUP_ROLE}';
            EXECUTE 'REVOKE USAGE ON SCHEMA {schemas} FROM {BACKUP_ROLE}';
            EXECUTE 'ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA {schemas}
                     REVOKE SELECT ON TABLES FROM {BACKUP_ROLE}';
            EXECUTE 'ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA {schemas}
                     REVOKE SELECT ON SEQUENCES FROM {BACKUP_ROLE}';
          END IF;
        END
        $revoke$
        """
    )
