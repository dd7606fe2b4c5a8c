"""Run and inspect Alembic migrations programmatically, as the schema owner."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.pool import NullPool

from adapters.postgres.engine import create_engine
from adapters.postgres.url import DatabaseUrl

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

# Alembic is imported where it is used: every CLI command and the API import this module
# (the readiness probe's head_revision), and only migrations need Alembic itself.

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("no migrations found")
    return head


async def upgrade(owner: DatabaseUrl, revision: str = "head") -> None:
    engine = create_engine(owner, poolclass=NullPool)
    try:
        async with engine.connect() as conn:
            await conn.run_sync(_upgrade, revision)
            await conn.commit()
    finally:
        await engine.dispose()


def _upgrade(connection: Connection, revision: str) -> None:
    from alembic import command

    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
