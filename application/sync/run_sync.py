"""Run one sync job: read every stream of a connection from its checkpoints into the graph.

Each page is fetched with no database connection held, then its records, its removals, the
stream's new cursor and the run's counts are committed in one transaction that first checks
the run's fence (a worker that lost its run writes nothing). Faults end in a state the next
attempt resumes from: throttling and unreachable providers bring the job back later, a dead
grant cancels the run and pauses the schedule (the connection is ``needs_reauth``), a stop
request commits the page in hand and hands the job back. The pass over the streams, and how
pages are stored together: ``stream_pass``.
"""

from __future__ import annotations

import contextlib
import logging
import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import final

import msgspec

from application.feed import announce
from application.graph.forget import ForgetSummary, forget_removed
from application.graph.writer import GraphWriter, IngestSummary
from application.integrations.connection_tokens import ConnectionTokens
from application.shared.metrics import Metrics, NoMetrics
from application.shared.ports import Clock
from application.shared.scope import Scope
from application.sync.access import ConnectionAccess, GraphKnownRecords
from application.sync.policy import DONE, RunOutcome, SyncPolicy
from application.sync.ports import (
    Checkpoint,
    ReadPlan,
    SourceReader,
    SourceReaders,
    SyncJob,
    SyncUnitOfWork,
)
from application.sync.stream_pass import Stopped, StopSignal, StreamPass
from domain.feed.events import EventKind, FeedEvent
from domain.graph.model import RecordIds
from domain.integrations.connection import Connection
from domain.integrations.errors import ConnectionNeedsReauth, ConnectionRevoked
from domain.shared.errors import StorageError
from domain.shared.ids import UserId
from domain.sync.errors import (
    GrantRejected,
    RunSuperseded,
    SourceRefused,
    SourceThrottled,
    SourceUnavailable,
)
from domain.sync.page import SyncPage
from domain.sync.run import PageCounts, SyncRun

log = logging.getLogger("atlas.sync")


_ENDINGS = (
    Stopped,
    RunSuperseded,
    ConnectionNeedsReauth,
    ConnectionRevoked,
    GrantRejected,
    SourceThrottled,
    SourceUnavailable,
    SourceRefused,
    StorageError,
)


class _Started(msgspec.Struct, frozen=True, kw_only=True):
    run: SyncRun
    connection: Connection
    fence: int
    checkpoints: dict[str, Checkpoint]
    since: datetime


@final
class RunSync:
    def __init__(
        self,
        *,
        uow_for: Callable[[Scope], SyncUnitOfWork],
        readers: SourceReaders,
        tokens: ConnectionTokens,
        clock: Clock,
        policy: SyncPolicy | None = None,
        rng: random.Random | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._uow_for, self._readers, self._tokens = uow_for, readers, tokens
        self._clock, self._policy = clock, policy or SyncPolicy()
        self._metrics = metrics or NoMetrics()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security

    async def execute(self, job: SyncJob, stop: StopSignal | None = None) -> RunOutcome:
        scope = Scope(tenant_id=job.tenant_id, user_id=job.user_id)
        started = await self._start(scope, job)
        if started is None:
            return DONE
        reader = self._readers.reader(
            ReadPlan(connection=started.connection, since=started.since),
            ConnectionAccess(self._tokens, scope, job.connection_id),
            GraphKnownRecords(self._uow_for, scope, str(job.connection_id)),
        )
        try:
            await self._read(scope, job, started, reader, stop or StopSignal())
        except _ENDINGS as ended:
            return await self._settle(scope, job, started, ended)
        return await self._end(scope, job, None, fence=started.fence)

    async def abandon(self, job: SyncJob, reason: str) -> None:
        """Give the run up (a fault no retry got past): it fails, the schedule goes on."""
        scope = Scope(tenant_id=job.tenant_id, user_id=job.user_id)
        await self._end(scope, job, reason)

    async def _settle(
        self, scope: Scope, job: SyncJob, started: _Started, ended: Exception
    ) -> RunOutcome:
        """Where a run that did not finish its pass stands, and when its job comes back."""
        fence = started.fence
        if isinstance(ended, RunSuperseded):
            return _superseded(job)
        if isinstance(ended, Stopped):
            return await self._wait(scope, job, "worker_stopped", 0.0, fence)
        if isinstance(ended, GrantRejected):
            with contextlib.suppress(ConnectionNeedsReauth):
                await self._tokens.reject(scope, job.connection_id, ended.reason)
            ended = ConnectionNeedsReauth(connection_id=str(job.connection_id))
        if isinstance(ended, ConnectionNeedsReauth | ConnectionRevoked):
            return await self._end(scope, job, ended.code, cancelled=True, fence=fence)
        if isinstance(ended, SourceThrottled):
            wait = max(1.0, ended.retry_after_seconds or 60.0)
            return await self._wait(scope, job, ended.reason, wait, fence)
        if isinstance(ended, SourceRefused):
            log.warning("sync run %s refused by the provider: %s", job.run_id, ended.reason)
            return await self._end(scope, job, f"refused:{ended.reason}", fence=fence)
        return await self._retry(scope, job, started, ended)  # unreachable provider, storage fault

    async def _start(self, scope: Scope, job: SyncJob) -> _Started | None:
        async with self._uow_for(scope) as uow:
            run = await uow.runs.get(job.run_id)
            if run is None or not run.status.active:
                return None  # finished or cancelled already: a stale job
            now = self._clock.now()
            # The fence first: a change that moves it (sharing, a longer backfill) commits
            # before this reads the connection and the schedule, or waits for this run.
            fence = await uow.schedules.take_over(job.connection_id)
            connection = await uow.connections.get(job.connection_id)
            if connection is None or not connection.usable:
                run = run.cancelled("integrations.connection_not_usable", now)
                await uow.runs.save(run)
                owner = connection.private_to() if connection is not None else job.user_id
                uow.events.announce(announce.sync_ended(run, owner))
                await uow.commit()
                return None
            schedule = await uow.schedules.get(job.connection_id)
            checkpoints = await uow.checkpoints.all(job.connection_id)
            run = run.started(now)
            await uow.runs.save(run)
            uow.events.announce(
                announce.sync_event(EventKind.SYNC_STARTED, run, connection.private_to())
            )
            await uow.commit()
        since = schedule.backfill_since(now) if schedule else now - timedelta(days=90)
        return _Started(
            run=run, connection=connection, fence=fence, checkpoints=checkpoints, since=since
        )

    async def _read(
        self, scope: Scope, job: SyncJob, started: _Started, reader: SourceReader, stop: StopSignal
    ) -> None:
        async def store(stream: str, page: SyncPage) -> None:
            await self._store(scope, job, started, stream, page)

        async def finish(stream: str) -> None:
            async with self._uow_for(scope) as uow:
                if not await uow.schedules.holds(job.connection_id, started.fence):
                    raise RunSuperseded()
                await uow.runs.finish_stream(job.run_id, stream, self._clock.now())
                await uow.commit()

        cursors = {stream: c.cursor for stream, c in started.checkpoints.items()}
        await StreamPass(reader, cursors, store=store, finish=finish, stop=stop,
                         store_records=self._policy.store_records,
                         together=self._policy.streams_together).run()  # fmt: skip

    async def _store(
        self, scope: Scope, job: SyncJob, started: _Started, stream: str, page: SyncPage
    ) -> None:
        assert scope.tenant_id is not None  # noqa: S101 - a job always names its tenant
        async with self._uow_for(scope) as uow:
            if not await uow.schedules.holds(job.connection_id, started.fence):
                raise RunSuperseded()
            written, removed = IngestSummary(), ForgetSummary()
            if page.batch.entities or page.batch.activities or page.batch.relationships:
                private_to = started.connection.private_to()  # read after the fence moved
                writer = GraphWriter(uow, scope.tenant_id, self._clock, private_to=private_to)
                written = await writer.write(page.batch)
            if page.removals:
                revision = await uow.versions.begin_ingest()
                ids = RecordIds(scope.tenant_id)
                removed = await forget_removed(uow, ids, page.removals, revision)
                private_to = started.connection.private_to()
                uow.events.announce(FeedEvent.graph_changed(revision, None, private_to))
            now = self._clock.now()
            if page.cursor is not None:
                checkpoint = Checkpoint(
                    stream=stream, cursor=page.cursor, position=page.position, updated_at=now
                )
                await uow.checkpoints.save(job.connection_id, checkpoint)
            counts = PageCounts(
                pages=page.pages,
                fetched=page.fetched,
                new=written.inserted + written.entities_new,
                changed=written.replaced + written.entities_changed,
                deleted=removed.entities + removed.activities,
            )
            await uow.runs.record_page(job.run_id, stream, counts, page.position)
            private_to = started.connection.private_to()
            uow.events.announce(announce.sync_page(started.run, private_to, stream, counts))
            await uow.commit()

    async def _retry(
        self, scope: Scope, job: SyncJob, started: _Started, failure: Exception
    ) -> RunOutcome:
        run, fence = started.run, started.fence
        reason = getattr(failure, "reason", None) or getattr(failure, "code", "unavailable")
        if run.attempts >= self._policy.max_attempts:
            return await self._end(scope, job, f"unavailable:{reason}", fence=fence)
        given = getattr(failure, "retry_after_seconds", None)
        step = min(self._policy.backoff_cap_seconds, 2.0 ** min(run.attempts, 20))
        wait = given if given is not None else step / 2 + self._rng.uniform(0, step / 2)
        return await self._wait(scope, job, str(reason), max(1.0, wait), fence)

    async def _wait(
        self, scope: Scope, job: SyncJob, reason: str, wait: float, fence: int
    ) -> RunOutcome:
        async with self._uow_for(scope) as uow:
            if not await uow.schedules.holds(job.connection_id, fence):
                return _superseded(job)
            run = await uow.runs.get(job.run_id)
            if run is not None and run.status.active:
                until = self._clock.now() + timedelta(seconds=math.ceil(wait))
                run = run.waiting(reason, until)
                await uow.runs.save(run)
                uow.events.announce(announce.sync_waiting(run, await _owner(uow, job)))
                await uow.commit()
        return RunOutcome(come_back_after=wait)

    async def _end(
        self,
        scope: Scope,
        job: SyncJob,
        error: str | None,
        *,
        cancelled: bool = False,
        fence: int | None = None,
    ) -> RunOutcome:
        """The run's end and the next one's schedule; with ``fence``, only while the run is
        still this worker's (one that lost it to another worker writes nothing)."""
        async with self._uow_for(scope) as uow:
            if fence is not None and not await uow.schedules.holds(job.connection_id, fence):
                return _superseded(job)
            run, ended = await uow.runs.get(job.run_id), None
            now = self._clock.now()
            if run is not None and run.status.active:
                if cancelled:
                    run = run.cancelled(error or "cancelled", now)
                elif error is None:
                    run = run.succeeded(now)
                else:
                    run = run.failed(error, now)
                await uow.runs.save(run)
                uow.events.announce(announce.sync_ended(run, await _owner(uow, job)))
                ended = run
            schedule = await uow.schedules.get(job.connection_id, for_update=True)
            if schedule is not None:
                interval = self._policy.interval_seconds
                ok = error is None and not cancelled
                await uow.schedules.save(schedule.after_run(job.run_id, now, interval, ok=ok))
            await uow.commit()
        if ended is not None:
            self._metrics.sync_ended(ended)
        return DONE


async def _owner(uow: SyncUnitOfWork, job: SyncJob) -> UserId | None:
    """Whom the run's events are for, as the connection stands now (it may have been shared)."""
    connection = await uow.connections.get(job.connection_id)
    return connection.private_to() if connection is not None else job.user_id


def _superseded(job: SyncJob) -> RunOutcome:
    log.info("sync run %s continues on another worker", job.run_id)
    return DONE
