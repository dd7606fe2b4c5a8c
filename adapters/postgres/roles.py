"""The database roles and names Atlas relies on; the tenancy guarantees are stated against them."""

from __future__ import annotations

DATABASE = "atlas"
SCHEMA = "atlas"
OWNER_ROLE = "atlas_owner"  # owns the schema, runs migrations; never superuser
APP_ROLE = "atlas_app"  # what the service connects as: subject to every policy, owns nothing
AUTH_ROLE = "atlas_auth"  # NOLOGIN owner of the narrow SECURITY DEFINER login lookups
BACKUP_ROLE = "atlas_backup"  # BYPASSRLS and read-only: pg_dump and the backup census only
