"""Imports and their uploads in PostgreSQL (migration 0017), and the unit of work they live in.

The upload is stored as 1 MiB ``bytea`` parts, each statement naming the tenant (row security
checks it too). The job is enqueued on the same connection, so it exists exactly when the
request does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import asyncpg
import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.graph_db import GraphDb, translate_driver
from adapters.postgres.jobs import enqueue_import
from adapters.postgres.uow import PostgresUnitOfWork
from application.graph.import_jobs import (
    ImportFailure,
    ImportJob,
    ImportRecord,
    ImportRecords,
    ImportsUnitOfWork,
)
from application.graph.importing import ImportSummary
from domain.identity.model import Role
from domain.shared.ids import UserId

_COLUMNS = """import_id, state, file_name, object_type, bytes, sha256, requested_by, role,
    requested_at, updated_at, attempts, summary, code"""
_ADD = """INSERT INTO atlas.imports (tenant_id, import_id, requested_by, role, file_name,
        object_type, bytes, sha256, state, requested_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'queued', $9, $9)
    ON CONFLICT (tenant_id, import_id) DO NOTHING"""
_PART = "INSERT INTO atlas.import_parts (tenant_id, import_id, part, data) VALUES ($1, $2, $3, $4)"
_GET = f"SELECT {_COLUMNS} FROM atlas.imports WHERE tenant_id = $1 AND import_id = $2"  # noqa: S608
_START = f"""UPDATE atlas.imports SET state = 'running', attempts = attempts + 1, updated_at = $3
    WHERE tenant_id = $1 AND import_id = $2 AND state IN ('queued', 'running')
    RETURNING {_COLUMNS}"""  # noqa: S608
_READ_PART = """SELECT data FROM atlas.import_parts
    WHERE tenant_id = $1 AND import_id = $2 AND part = $3"""
_FINISH = """UPDATE atlas.imports SET state = $3, summary = $4, code = $5, updated_at = $6
    WHERE tenant_id = $1 AND import_id = $2"""
_DROP_PARTS = "DELETE FROM atlas.import_parts WHERE tenant_id = $1 AND import_id = $2"
PART_BYTES = 1 << 20
T = TypeVar("T")


class PostgresImportRecords(ImportRecords):
    def __init__(self, db: GraphDb) -> None:
        self._db = db

    async def add(self, record: ImportRecord, parts: AsyncIterator[bytes]) -> bool:
        tenant = self._db.tenant_id
        added = await self._db.execute(
            _ADD, tenant, record.id, record.requested_by, record.role.value, record.file_name,
            record.object_type, record.bytes, record.sha256, record.requested_at,
        )  # fmt: skip
        if added != "INSERT 0 1":
            return False
        index, pending = 0, b""
        async for chunk in parts:
            pending += chunk
            while len(pending) >= PART_BYTES:
                await self._db.execute(_PART, tenant, record.id, index, pending[:PART_BYTES])
                index, pending = index + 1, pending[PART_BYTES:]
        if pending:
            await self._db.execute(_PART, tenant, record.id, index, pending)
        return True

    async def get(self, import_id: UUID) -> ImportRecord | None:
        rows = await self._db.fetch(_GET, self._db.tenant_id, import_id)
        return _record(rows[0]) if rows else None

    async def start(self, import_id: UUID, at: datetime) -> ImportRecord | None:
        rows = await self._db.fetch(_START, self._db.tenant_id, import_id, at)
        return _record(rows[0]) if rows else None

    async def part(self, import_id: UUID, index: int) -> bytes | None:
        data: bytes | None = await self._db.fetchval(
            _READ_PART, self._db.tenant_id, import_id, index
        )
        return data

    async def finish(
        self,
        import_id: UUID,
        at: datetime,
        *,
        summary: ImportSummary | None = None,
        failure: ImportFailure | None = None,
    ) -> None:
        state = "failed" if failure is not None else "succeeded"
        ending = msgspec.json.encode(summary if failure is None else failure).decode()
        tenant = self._db.tenant_id
        code = failure.code if failure is not None else None
        await self._db.execute(_FINISH, tenant, import_id, state, ending, code, at)
        await self._db.execute(_DROP_PARTS, tenant, import_id)

    async def enqueue(self, job: ImportJob) -> None:
        try:
            await enqueue_import(await self._db.connection(), job)
        except asyncpg.PostgresError as error:
            raise translate_driver(error) from error


def _record(row: Any) -> ImportRecord:
    ending = row["summary"]
    failed = row["state"] == "failed"
    return ImportRecord(
        id=row["import_id"], state=row["state"], file_name=row["file_name"],
        object_type=row["object_type"], bytes=row["bytes"], sha256=row["sha256"],
        requested_by=UserId(row["requested_by"]), role=Role(row["role"]),
        requested_at=row["requested_at"], updated_at=row["updated_at"], attempts=row["attempts"],
        summary=_decoded(ending, ImportSummary) if ending and not failed else None,
        failure=_decoded(ending, ImportFailure) if ending and failed else None,
    )  # fmt: skip


def _decoded(value: Any, kind: type[T]) -> T:
    """jsonb arrives decoded (SQLAlchemy's asyncpg codec), or as text on a bare connection."""
    if isinstance(value, str | bytes):
        return msgspec.json.decode(value, type=kind)
    return msgspec.convert(value, type=kind)


class PostgresImportsUnitOfWork(PostgresUnitOfWork, ImportsUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        self.imports = PostgresImportRecords(GraphDb(session, self.scope.tenant_id))
