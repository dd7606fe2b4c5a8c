"""Running sync workers: beside the server (``atlas up``) or on their own (``atlas worker``)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from adapters.backup.retention import ScheduledBackup
from adapters.postgres.worker import SyncWorker, WorkerPolicy
from adapters.postgres.worker_imports import ImportRunner
from adapters.postgres.worker_outages import run_through_outages
from application.feed.prune import PruneFeed
from application.graph.import_jobs import ImportFailure, ImportJob
from application.shared.request_context import RequestContext, in_request
from application.sync.policy import DONE, RunOutcome
from application.sync.ports import SyncJob
from application.sync.stream_pass import StopSignal
from domain.compliance.tenant_deletion import TenantPendingDeletion
from entrypoints import container as composition
from entrypoints.container import Application
from entrypoints.http.di import resolve
from entrypoints.metrics_listener import watch_process
from entrypoints.vault import master_secret

log = logging.getLogger("atlas.worker")

GRACE_SECONDS = 60.0  # how long a stopping worker waits for its syncs' pages in hand


def in_job(job: SyncJob) -> AbstractContextManager[RequestContext]:
    """A job's log lines carry its run (as their id), its connection and its tenant."""
    facts: dict[str, str | int | float] = {
        "job_id": str(job.run_id), "connection_id": str(job.connection_id),
        "tenant_id": str(job.tenant_id),
    }  # fmt: skip
    return in_request(RequestContext(request_id=f"run:{job.run_id}", address="", facts=facts))


def sync_worker(container: Application, *, concurrency: int | None = None) -> SyncWorker:
    """A worker on the container's database, running its sync use cases."""
    settings = container.settings()
    use_cases: Any = container.use_cases.sync

    async def run_job(job: SyncJob, stop: StopSignal) -> RunOutcome:
        run_sync = await resolve(use_cases.run_sync)
        try:
            with in_job(job):
                outcome: RunOutcome = await run_sync.execute(job, stop)
        except TenantPendingDeletion:
            # Read-only until restored or purged: the run stays as it stands and the job ends
            # (no retries). After a restore the scheduler re-enqueues the active run whose job
            # is gone, and it resumes from its last committed checkpoints.
            log.info("sync run %s set aside: its tenant is pending deletion", job.run_id)
            return DONE
        return outcome

    async def abandon(job: SyncJob, reason: str) -> None:
        await (await resolve(use_cases.run_sync)).abandon(job, reason)

    async def tick() -> int:
        requested: int = await (await resolve(use_cases.schedule_due_syncs)).execute()
        return requested

    async def prune_feed() -> int:
        retention = await resolve(container.adapters.feed.retention)  # type: ignore[attr-defined]
        if retention is None:
            return 0  # the in-memory store keeps no outbox worth pruning
        pruned: int = await PruneFeed(retention, await resolve(container.adapters.clock)).execute()
        return pruned

    async def purge_tenants() -> int:
        purge = await resolve(container.use_cases.tenant_deletion.purge_tenants)  # type: ignore[attr-defined]
        return len(await purge.execute())

    policy = WorkerPolicy(
        concurrency=concurrency or settings.sync.worker_concurrency,
        heartbeat_seconds=settings.sync.heartbeat_seconds,
    )
    database = container.adapters.endpoints().app
    return SyncWorker(
        database, run_job=run_job, abandon=abandon, tick=tick, policy=policy,
        prune_feed=prune_feed, purge_tenants=purge_tenants, backup=scheduled_backup(container),
        imports=import_runner(container),
    )  # fmt: skip


def import_runner(container: Application) -> ImportRunner:
    """Import jobs (issue 14): each runs ``RunImport``, a fresh use case per attempt."""
    imports: Any = container.use_cases.imports

    metrics = container.adapters.metrics()

    async def run(job: ImportJob) -> object:
        started, outcome = time.perf_counter(), "interrupted"
        try:
            record = await (await resolve(imports.run_import)).execute(job)
            outcome = "succeeded" if record is not None else "refused"  # refused: the file's fault
            return record
        except BaseException as error:
            outcome = str(getattr(error, "code", "interrupted"))  # a stable code, bounded
            raise
        finally:
            metrics.import_ended(outcome, time.perf_counter() - started)

    async def abandon(job: ImportJob, failure: ImportFailure) -> None:
        await (await resolve(imports.run_import)).abandon(job, failure)

    return ImportRunner(run, abandon)


def scheduled_backup(container: Application) -> ScheduledBackup | None:
    """The daily backup, when there is a directory for it (always in development: under the
    data dir; in production: ATLAS_BACKUP_DIR) and the backup role's URL is known."""
    settings = container.settings()
    url = container.adapters.endpoints().backup
    if settings.backup.directory is None or url is None:
        return None
    return ScheduledBackup(
        url=url,
        master=master_secret(settings),
        directory=settings.backup.directory,
        keep_days=settings.backup.retention_days,
        clock=container.adapters.clock(),
    )


async def stop_and_wait(worker: SyncWorker, running: asyncio.Task[None]) -> None:
    worker.stop()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(asyncio.shield(running), GRACE_SECONDS)
    if not running.done():
        # The page in hand rolls back. PgQueuer drops a cancelled job; the run it leaves active
        # is re-enqueued by the next scheduler tick and resumes from its last committed cursor.
        running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running


async def run_alone(
    container: Application, *, concurrency: int | None, ready: Callable[[str], None]
) -> None:
    """``atlas worker``: until SIGTERM or SIGINT, then a graceful stop. ``ready`` is told when
    jobs are taken (adapters up, signals handled)."""
    await composition.start(container)
    try:
        await watch_process(container)
        worker = sync_worker(container, concurrency=concurrency)
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stopping.set)
        running = asyncio.create_task(run_through_outages(worker.run, stopping.is_set))
        ready(f"Atlas worker taking jobs (concurrency {worker.concurrency}).")
        await asyncio.wait(
            {running, asyncio.create_task(stopping.wait())}, return_when=asyncio.FIRST_COMPLETED
        )
        await stop_and_wait(worker, running)
    finally:
        await composition.stop(container)
