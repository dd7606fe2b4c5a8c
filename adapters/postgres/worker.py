"""A worker: PgQueuer's queue manager and scheduler running Atlas's sync jobs.

Workers on any number of machines share the database: a job is claimed with SKIP LOCKED, its
worker beats every half heartbeat timeout, and a job whose worker stopped beating (SIGKILL, a
lost machine) is claimed again by another. The cron tick that requests due syncs runs on one
worker at a time across the fleet. On ``stop()`` (SIGTERM, Ctrl-C) no new job is taken, every
running sync commits the page in hand and hands its job back, then the worker returns.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

import asyncpg
import msgspec
from pgqueuer import PgQueuer
from pgqueuer.adapters.drivers.asyncpg import AsyncpgPoolDriver
from pgqueuer.domain.errors import RetryRequested
from pgqueuer.domain.models import Job, Schedule
from pgqueuer.domain.types import Channel

from adapters.postgres.jobs import SCHEDULE_ENTRYPOINT, SYNC_ENTRYPOINT, queries_on
from adapters.postgres.jobs_schema import JOBS_CHANNEL
from adapters.postgres.url import DatabaseUrl
from adapters.postgres.worker_imports import ImportRunner
from application.sync.policy import RunOutcome
from application.sync.ports import SyncJob
from application.sync.stream_pass import StopSignal

log = logging.getLogger("atlas.worker")

RunJob = Callable[[SyncJob, StopSignal], Awaitable[RunOutcome]]
Abandon = Callable[[SyncJob, str], Awaitable[None]]
Tick = Callable[[], Awaitable[int]]
Chore = Callable[[], Awaitable[object]]

MAX_UNEXPECTED = 10  # attempts of a job that keeps failing in a way no use case names
TICK = "* * * * *"  # the scheduler looks for due connections every minute
PRUNE_FEED = "feed.prune"
PRUNE_EVERY = "17 * * * *"  # hourly: retention is counted in days and thousands of events
PURGE_TENANTS = "tenants.purge"
PURGE_EVERY = "41 3 * * *"  # daily: a grace is counted in days
BACKUP = "backup.daily"
BACKUP_EVERY = "41 2 * * *"  # daily, at a quiet hour (UTC); one worker of the fleet runs it


class WorkerPolicy(msgspec.Struct, frozen=True, kw_only=True):
    concurrency: int = 4
    heartbeat_seconds: float = 60.0


class SyncWorker:
    def __init__(
        self,
        database: DatabaseUrl,
        *,
        run_job: RunJob,
        abandon: Abandon,
        tick: Tick,
        policy: WorkerPolicy,
        prune_feed: Tick | None = None,
        purge_tenants: Tick | None = None,
        backup: Chore | None = None,
        imports: ImportRunner | None = None,
    ) -> None:
        self._database, self._policy = database, policy
        self._run_job, self._abandon, self._tick = run_job, abandon, tick
        self._prune_feed = prune_feed
        self._purge_tenants = purge_tenants
        self._backup = backup
        self._imports = imports
        self._stop = StopSignal()
        self._slots = asyncio.Semaphore(policy.concurrency)
        self._pgq: PgQueuer | None = None

    @property
    def concurrency(self) -> int:
        return self._policy.concurrency

    def stop(self) -> None:
        """Take no new job; running syncs commit their page and hand their jobs back."""
        self._stop.requested = True
        if self._pgq is not None:
            self._pgq.shutdown.set()

    async def run(self) -> None:
        pool = await asyncpg.create_pool(**self._database.asyncpg_kwargs(), min_size=2, max_size=4)
        try:
            self._pgq = self._build(AsyncpgPoolDriver(pool))
            if self._imports is not None:
                self._imports.register(self._pgq)
            if self._stop.requested:
                return
            await self._pgq.run(
                batch_size=1,
                max_concurrent_tasks=max(2, self._policy.concurrency),
                heartbeat_timeout=timedelta(seconds=self._policy.heartbeat_seconds),
                dequeue_timeout=timedelta(seconds=5),
            )
        finally:
            await pool.close()

    def _build(self, driver: AsyncpgPoolDriver) -> PgQueuer:
        pgq = PgQueuer(driver, channel=Channel(JOBS_CHANNEL), queries=queries_on(driver))

        @pgq.entrypoint(SYNC_ENTRYPOINT, on_failure="hold")
        async def sync(job: Job) -> None:
            async with self._slots:
                await self._sync(job)

        @pgq.schedule(SCHEDULE_ENTRYPOINT, TICK)
        async def tick(_: Schedule) -> None:
            await self._tick()

        if self._prune_feed is not None:
            prune_feed = self._prune_feed

            @pgq.schedule(PRUNE_FEED, PRUNE_EVERY)
            async def prune(_: Schedule) -> None:
                log.info("feed retention: %d old event(s) pruned", await prune_feed())

        if self._purge_tenants is not None:
            purge_tenants = self._purge_tenants

            @pgq.schedule(PURGE_TENANTS, PURGE_EVERY)
            async def purge(_: Schedule) -> None:
                log.info("tenant deletion: %d tenant(s) purged", await purge_tenants())

        if self._backup is not None:
            backup = self._backup

            @pgq.schedule(BACKUP, BACKUP_EVERY)
            async def daily_backup(_: Schedule) -> None:
                try:
                    await backup()
                except Exception:  # logged; tomorrow's run tries again, syncs go on meanwhile
                    log.exception("the daily backup failed")

        return pgq

    async def _sync(self, job: Job) -> None:
        sync_job = msgspec.json.decode(job.payload or b"", type=SyncJob)
        try:
            outcome = await self._run_job(sync_job, self._stop)
        except Exception:  # a bug, or the database went away mid-run
            log.exception("sync job %s failed unexpectedly (attempt %d)", job.id, job.attempts)
            if job.attempts < MAX_UNEXPECTED:
                wait = min(900.0, 2.0 ** (job.attempts + 1))
                # from None: PgQueuer keeps a retried job's traceback in its global log table,
                # outside row security and the log redaction; the log line above has it.
                raise RetryRequested(timedelta(seconds=wait), reason="unexpected") from None
            await self._abandon(sync_job, "internal")
            return
        if outcome.come_back_after is not None:
            log.info("sync run %s comes back in %.0f s", sync_job.run_id, outcome.come_back_after)
            delay = timedelta(seconds=outcome.come_back_after)
            raise RetryRequested(delay, reason="come_back")
        log.info("sync run %s of connection %s done", sync_job.run_id, sync_job.connection_id)
