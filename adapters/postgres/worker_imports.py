"""The worker's import jobs (``graph.import``): one import at a time per worker process (an
import holds a parse buffer and a block of rows in memory, and keeps a core busy).

A job whose worker dies (SIGKILL, a lost machine) stops beating and is claimed again; its
import's transaction died with the connection, so the next attempt starts from a clean graph.
An unexpected failure is retried with back-off; after the last attempt the import is recorded
as failed and its upload deleted.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import msgspec
from pgqueuer import PgQueuer
from pgqueuer.domain.errors import RetryRequested
from pgqueuer.domain.models import Job

from adapters.postgres.jobs import IMPORT_ENTRYPOINT
from application.graph.import_jobs import ImportFailure, ImportJob

log = logging.getLogger("atlas.worker")

MAX_ATTEMPTS = 5
GAVE_UP = ImportFailure(
    code="graph.import_failed", message="The import failed repeatedly; import the file again."
)


class ImportRunner:
    def __init__(
        self,
        run: Callable[[ImportJob], Awaitable[object]],
        abandon: Callable[[ImportJob, ImportFailure], Awaitable[None]],
        *,
        at_once: int = 1,
    ) -> None:
        self._run, self._abandon = run, abandon
        self._slots = asyncio.Semaphore(at_once)

    def register(self, pgq: PgQueuer) -> None:
        pgq.entrypoint(IMPORT_ENTRYPOINT, on_failure="hold")(self.run)

    async def run(self, job: Job) -> None:
        import_job = msgspec.json.decode(job.payload or b"", type=ImportJob)
        async with self._slots:
            try:
                await self._run(import_job)
            except Exception:  # the database went away, a bug: the import rolled back whole
                log.exception("import job %s failed (attempt %d)", job.id, job.attempts)
                if job.attempts + 1 < MAX_ATTEMPTS:
                    wait = timedelta(seconds=min(300.0, 2.0 ** (job.attempts + 2)))
                    # from None: PgQueuer keeps a retried job's traceback in its global log.
                    raise RetryRequested(wait, reason="unexpected") from None
                await self._abandon(import_job, GAVE_UP)
