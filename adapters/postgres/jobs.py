"""The job queue (PgQueuer) as Atlas uses it: sync and import jobs enqueued inside a unit of work.

A sync job is enqueued on the unit of work's own connection, in its transaction: the job
exists exactly when the run row does, and a rollback takes both back. The dedupe key is the
connection, so a second job for a connection whose job is queued or running is skipped. An
import job is enqueued the same way, with its upload; its dedupe key is the import.
"""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import msgspec
from pgqueuer.adapters.drivers.asyncpg import AsyncpgDriver
from pgqueuer.adapters.persistence.qb import (
    QueryBuilderEnvironment,
    QueryQueueBuilder,
    QuerySchedulerBuilder,
)
from pgqueuer.adapters.persistence.queries import Queries
from pgqueuer.domain.settings import DBSettings
from pgqueuer.ports.driver import Driver

from adapters.postgres.graph_db import GraphDb, translate_driver
from adapters.postgres.jobs_schema import jobs_settings
from application.graph.import_jobs import ImportJob
from application.sync.ports import JobQueue, SyncJob

SYNC_ENTRYPOINT = "sync.connection"
IMPORT_ENTRYPOINT = "graph.import"
SCHEDULE_ENTRYPOINT = "sync.schedule"


def dedupe_key(job: SyncJob) -> str:
    return f"sync:{job.connection_id}"


def queries_on(driver: Driver, settings: DBSettings | None = None) -> Queries:
    settings = settings or jobs_settings()
    return Queries(
        driver,
        qbe=QueryBuilderEnvironment(settings),
        qbq=QueryQueueBuilder(settings),
        qbs=QuerySchedulerBuilder(settings),
    )


class PgQueuerJobQueue(JobQueue):
    def __init__(self, db: GraphDb) -> None:
        self._db = db

    async def enqueue_sync(self, job: SyncJob, *, delay: timedelta | None = None) -> bool:
        # PgQueuer's table has no tenant column (deployment-wide by design): the job's payload
        # carries its tenant and user, and the worker opens the run in exactly that scope.
        queries = queries_on(AsyncpgDriver(await self._db.connection()))
        try:
            ids = await queries.enqueue(
                SYNC_ENTRYPOINT,
                msgspec.json.encode(job),
                execute_after=delay,
                dedupe_key=dedupe_key(job),
                on_conflict="skip",
            )
        except asyncpg.PostgresError as error:  # a storage fault, as every repository says it
            raise translate_driver(error) from error
        return ids[0] is not None


async def enqueue_import(connection: asyncpg.Connection, job: ImportJob) -> None:
    """On the unit of work's own connection: the job commits, or rolls back, with the upload."""
    await queries_on(AsyncpgDriver(connection)).enqueue(
        IMPORT_ENTRYPOINT,
        msgspec.json.encode(job),
        dedupe_key=f"import:{job.import_id}",
        on_conflict="skip",
    )
