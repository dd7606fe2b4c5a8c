"""Alembic migrations of the Atlas schema; they run as atlas_owner."""
