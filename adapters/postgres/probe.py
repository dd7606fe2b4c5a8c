"""Readiness of the database: reachable, and migrated to the revision this code expects."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from application.shared.ports import DatabaseProbe, Readiness


class PostgresDatabaseProbe(DatabaseProbe):
    def __init__(self, engine: AsyncEngine, expected_revision: str) -> None:
        self._engine = engine
        self._expected = expected_revision

    async def check(self) -> Readiness:
        # Reads no tenant data, so it needs no scope: only the schema version.
        try:
            async with self._engine.connect() as conn:
                revision = (
                    await conn.execute(text("SELECT version_num FROM atlas.alembic_version"))
                ).scalar_one_or_none()
        except (DBAPIError, SQLAlchemyError, OSError) as error:
            return Readiness(
                reachable=False, schema_current=False, detail=f"unreachable: {type(error).__name__}"
            )
        if revision != self._expected:
            return Readiness(
                reachable=True,
                schema_current=False,
                detail=f"schema at {revision or 'nothing'}, code expects {self._expected}",
            )
        return Readiness(reachable=True, schema_current=True, detail=f"schema at {revision}")
