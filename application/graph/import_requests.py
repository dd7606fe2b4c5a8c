"""Request an import, run it on a worker, read how it stands.

The HTTP request only stores the upload (already spooled to disk and measured, so a slow client
holds no database connection) and queues the job; a worker runs ``ImportLog`` on it. The import
itself stays one transaction: a worker killed halfway leaves nothing of it, and the job,
claimed again, starts over. Records take the file's SHA-256 as their scope, so a run that
committed but died before recording its end changes nothing when it runs again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import final
from uuid import UUID

from application.graph.import_jobs import ImportFailure, ImportJob, ImportRecord
from application.graph.import_jobs import ImportsUnitOfWork as Uow
from application.graph.importing import ImportLog, ImportOptions, ImportSource
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.graph.errors import ImportNotFound, ImportTooLarge, InvalidImportId
from domain.shared.errors import DomainError, Invalid, TooLarge
from domain.shared.ids import new_id

UowFor = Callable[[Scope], Uow]
NAME_LIMIT = 255


@final
class RequestImport:
    def __init__(self, uow_for: UowFor, clock: Clock, max_bytes: int) -> None:
        self._uow_for, self._clock, self._max_bytes = uow_for, clock, max_bytes

    async def execute(
        self,
        actor: Actor,
        upload: ImportSource,
        options: ImportOptions,
        *,
        import_id: UUID | None = None,
    ) -> ImportRecord:
        if upload.size > self._max_bytes:
            raise ImportTooLarge(limit=self._max_bytes)
        now = self._clock.now()
        record = ImportRecord(
            id=import_id or new_id(), state="queued", file_name=upload.name[:NAME_LIMIT],
            object_type=options.object_type, bytes=upload.size, sha256=upload.sha256,
            requested_by=actor.user_id, role=actor.role, requested_at=now, updated_at=now,
        )  # fmt: skip
        async with self._uow_for(actor.scope) as uow:
            if not await uow.imports.add(record, upload.chunks()):
                raise InvalidImportId("This import id is taken already.")
            await uow.imports.enqueue(ImportJob(tenant_id=actor.tenant_id, import_id=record.id))
            await uow.commit()
        return record


@final
class GetImport:
    def __init__(self, uow_for: UowFor) -> None:
        self._uow_for = uow_for

    async def execute(self, actor: Actor, import_id: UUID) -> ImportRecord:
        async with self._uow_for(actor.scope) as uow:
            record = await uow.imports.get(import_id)
        if record is None:
            raise ImportNotFound(import_id=str(import_id))
        return record


@final
class RunImport:
    """The worker's side: one attempt at a queued import. A refused file ends it as failed;
    anything else (the database gone, the worker stopping) is raised for the queue to retry."""

    def __init__(self, uow_for: UowFor, import_log: ImportLog, clock: Clock) -> None:
        self._uow_for, self._import_log, self._clock = uow_for, import_log, clock

    async def execute(self, job: ImportJob) -> ImportRecord | None:
        scope = Scope(tenant_id=job.tenant_id, user_id=None)
        async with self._uow_for(scope) as uow:
            record = await uow.imports.start(job.import_id, self._clock.now())
            await uow.commit()
        if record is None:
            return None  # finished already (a job delivered twice), or purged with its tenant
        actor = Actor(
            tenant_id=job.tenant_id, user_id=record.requested_by, role=record.role,
            session_id=new_id(),
        )  # fmt: skip
        upload = StoredUpload(self._uow_for, actor.scope, record)
        try:
            summary = await self._import_log.execute(
                actor, upload, ImportOptions(object_type=record.object_type), import_id=record.id
            )
        except (Invalid, TooLarge) as error:  # the file's fault: it would fail the same way again
            await self.abandon(job, failure_of(error))
            return None
        async with self._uow_for(actor.scope) as uow:
            await uow.imports.finish(record.id, self._clock.now(), summary=summary)
            await uow.commit()
        return record

    async def abandon(self, job: ImportJob, failure: ImportFailure) -> None:
        """Record the import as failed (its upload deleted): the file was refused, or the
        worker gave up after its retries."""
        async with self._uow_for(Scope(tenant_id=job.tenant_id, user_id=None)) as uow:
            await uow.imports.finish(job.import_id, self._clock.now(), failure=failure)
            await uow.commit()


def failure_of(error: DomainError) -> ImportFailure:
    return ImportFailure(code=error.code, message=error.message, details=dict(error.details))


class StoredUpload:
    """An ``ImportSource`` over an upload stored in parts; each part is read in its own short
    transaction, beside the import's long one."""

    def __init__(self, uow_for: UowFor, scope: Scope, record: ImportRecord) -> None:
        self._uow_for, self._scope, self._id = uow_for, scope, record.id
        self.name, self.size, self.sha256 = record.file_name, record.bytes, record.sha256

    async def chunks(self) -> AsyncIterator[bytes]:
        index = 0
        while True:
            async with self._uow_for(self._scope) as uow:
                part = await uow.imports.part(self._id, index)
            if part is None:
                return
            yield part
            index += 1
