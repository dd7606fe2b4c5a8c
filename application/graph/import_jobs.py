"""Imports as jobs: what is stored of a requested import, and the ports that store and queue it.

An import is requested (the upload stored with it, in parts), queued as a job carrying ids only,
and run by whichever worker claims the job; its record says how it stands to whoever polls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Literal, Protocol
from uuid import UUID

import msgspec

from application.graph.importing import ImportSummary
from application.shared.ports import UnitOfWork
from domain.identity.model import Role
from domain.shared.ids import TenantId, UserId

ImportStateName = Literal["queued", "running", "succeeded", "failed"]
FINISHED: frozenset[ImportStateName] = frozenset({"succeeded", "failed"})


class ImportJob(msgspec.Struct, frozen=True, kw_only=True):
    """The queue's payload: ids only; the worker binds the tenant through its unit of work."""

    tenant_id: TenantId
    import_id: UUID


class ImportFailure(msgspec.Struct, frozen=True, kw_only=True):
    """Why an import failed, as its problem would have said it (code, message, details)."""

    code: str
    message: str
    details: dict[str, str | int | float | bool | None] = {}


class ImportRecord(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    state: ImportStateName
    file_name: str
    object_type: str
    bytes: int
    sha256: str
    requested_by: UserId
    role: Role
    requested_at: datetime
    updated_at: datetime
    attempts: int = 0
    summary: ImportSummary | None = None  # once succeeded: what the synchronous answer said
    failure: ImportFailure | None = None  # once failed

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


class ImportRecords(Protocol):
    """The tenant's imports and their uploads, inside a unit of work."""

    async def add(self, record: ImportRecord, parts: AsyncIterator[bytes]) -> bool:
        """Store the request and its upload; False when the id is taken already."""
        ...

    async def get(self, import_id: UUID) -> ImportRecord | None: ...

    async def start(self, import_id: UUID, at: datetime) -> ImportRecord | None:
        """Count an attempt and mark it running (locking its row); None if it is finished or
        unknown."""
        ...

    async def part(self, import_id: UUID, index: int) -> bytes | None:
        """The upload's ``index``-th part, None past its end."""
        ...

    async def finish(
        self,
        import_id: UUID,
        at: datetime,
        *,
        summary: ImportSummary | None = None,
        failure: ImportFailure | None = None,
    ) -> None:
        """Record how it ended and delete its upload."""
        ...

    async def enqueue(self, job: ImportJob) -> None:
        """Queue the job in this transaction: it exists exactly when the request does."""
        ...


class ImportsUnitOfWork(UnitOfWork, Protocol):
    imports: ImportRecords
