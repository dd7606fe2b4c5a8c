"""What the read-only backup role may do: read every table and sequence Atlas owns, nothing more.

The grants are the schema owner's to give. Migration 0016 gives them when the role exists, and
provisioning gives them again (as the owner) whenever it runs, so a deployment that migrated
before the role was created gets them the next time ``atlas db provision`` runs.
"""

from __future__ import annotations

from adapters.postgres.jobs_schema import JOBS_SCHEMA
from adapters.postgres.roles import BACKUP_ROLE, OWNER_ROLE, SCHEMA

BACKED_UP_SCHEMAS = (SCHEMA, JOBS_SCHEMA)


def backup_grants(schema: str) -> list[str]:
    """SELECT only: no INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES or TRIGGER, ever."""
    return [
        f"GRANT USAGE ON SCHEMA {schema} TO {BACKUP_ROLE}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {BACKUP_ROLE}",
        f"GRANT SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {BACKUP_ROLE}",
        # Tables created later (by later migrations) are readable by the backup role too.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA {schema} "
        f"GRANT SELECT ON TABLES TO {BACKUP_ROLE}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA {schema} "
        f"GRANT SELECT ON SEQUENCES TO {BACKUP_ROLE}",
    ]


def guarded_backup_grants() -> str:
    """One DO block: the grants for every backed-up schema that exists, when the role exists.

    A migration cannot create the role (the owner is NOCREATEROLE), and an existing deployment
    may not have provisioned it yet: then this does nothing instead of failing the upgrade.
    """
    statements = "\n".join(
        f"IF to_regnamespace('{schema}') IS NOT NULL THEN "
        + " ".join(f"EXECUTE '{s}';" for s in backup_grants(schema))
        + " END IF;"
        for schema in BACKED_UP_SCHEMAS
    )
    # Assembled from constants (role and schema names); nothing comes from input.
    return f"""
    DO $grants$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{BACKUP_ROLE}') THEN
        {statements}
      ELSE
        RAISE NOTICE '{BACKUP_ROLE} does not exist yet: run atlas db provision, which grants';
      END IF;
    END
    $grants$
    """  # noqa: S608
