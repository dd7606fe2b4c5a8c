"""Alembic environment: runs on the connection that adapters.postgres.migrate hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from adapters.postgres.roles import SCHEMA

# A fixed key: concurrent `atlas migrate` runs queue behind one another instead of racing.
_MIGRATION_LOCK = 7_314_172_001


def run() -> None:
    connection = context.config.attributes["connection"]
    is_superuser = connection.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    ).scalar_one()
    if is_superuser:
        raise RuntimeError(
            "refusing to migrate as a superuser: objects would be owned by it; use atlas_owner"
        )
    connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": _MIGRATION_LOCK})
    try:
        context.configure(
            connection=connection,
            version_table_schema=SCHEMA,
            transaction_per_migration=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    except BaseException:
        # Roll back first, or the unlock below fails on the aborted transaction and hides the
        # migration's own error. The session-level lock survives the rollback.
        connection.rollback()
        raise
    finally:
        connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _MIGRATION_LOCK})


run()
