"""How the engine stores what a reader yields: small pages together, nothing read is lost.

The reader here is a script (streams of numbered pages, a fault or a stop where the test wants
it), so the engine's own rules are what is tested: pages stored together up to the policy's
budget, the pages read before a fault or a stop stored before the run hands back, the next
attempt resuming exactly after the last stored page, and independent streams read a few at once
without losing or repeating a page when one of them fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from dependency_injector import providers

from adapters.fakes.sync import FakeCheckpointRepository, SyncTables
from application.sync.policy import SyncPolicy
from application.sync.ports import (
    AccessSource,
    KnownRecords,
    ReadPlan,
    SourceReader,
    SourceReaders,
)
from application.sync.stream_pass import StopSignal
from domain.graph.model import EntityRecord, GraphBatch, SourceRef
from domain.sync.errors import SourceUnavailable
from domain.sync.page import SyncPage
from domain.sync.run import RunStatus, RunTrigger
from tests.factories.sync_rig import SyncRig, built, sync_rig

PAGES, PER_PAGE, BUDGET = 30, 10, 100  # ten pages fill the budget
TOGETHER = 3  # independent streams read at once


class Script(SourceReaders):
    """Streams of ``PAGES`` pages of tickets each; a stream's cursor is its next page's number.
    Streams named ``ch:…`` are independent (read together, like Slack's channels)."""

    def __init__(self, names: Sequence[str] = ("tickets",)) -> None:
        self.names = list(names)
        self.starts: dict[str, list[int]] = {n: [] for n in names}  # where each read started
        self.yielded = 0
        self.fault_in = "tickets"
        self.fault_at: int | None = None  # asking for this page of ``fault_in`` fails, once
        self.stop_after: int | None = None  # the stop is asked for while this page is read
        self.stop = StopSignal()
        self.reading, self.most_at_once, self.log = 0, 0, list[str]()
        self.before_fault: Callable[[], Awaitable[None]] | None = None
        self.before_page: dict[int, Callable[[], Awaitable[None]]] = {}  # once, then dropped

    def supports(self, provider: str) -> bool:
        return True

    def reader(self, plan: ReadPlan, access: AccessSource, known: KnownRecords) -> _Reader:
        return _Reader(self, str(plan.connection.id))

    def page(self, scope: str, stream: str, number: int) -> SyncPage:
        tickets = tuple(
            EntityRecord(
                ref=SourceRef(
                    provider="zendesk", scope=scope, source_id=f"ticket:{stream}:{number}:{i}"
                ),
                type="ticket",
            )
            for i in range(PER_PAGE)
        )
        return SyncPage(
            batch=GraphBatch(entities=tickets), cursor=str(number + 1).encode(), fetched=PER_PAGE
        )


class _Reader(SourceReader):
    def __init__(self, script: Script, scope: str) -> None:
        self._script, self._scope = script, scope

    async def streams(self) -> Sequence[str]:
        return self._script.names

    def independent(self, stream: str) -> bool:
        return stream.startswith("ch:")

    async def read(self, stream: str, cursor: bytes | None) -> AsyncIterator[SyncPage]:
        script = self._script
        start = int(cursor or b"0")
        script.starts[stream].append(start)
        script.log.append(f"begin {stream}")
        script.reading += 1
        script.most_at_once = max(script.most_at_once, script.reading)
        try:
            for number in range(start, PAGES):
                await asyncio.sleep(0)  # a provider call: the other streams go on meanwhile
                if script.fault_at == number and stream == script.fault_in:
                    script.fault_at = None
                    if script.before_fault is not None:
                        await script.before_fault()
                    raise SourceUnavailable(reason="server_error")
                if (hook := script.before_page.pop(number, None)) is not None:
                    await hook()
                if script.stop_after == number + 1:  # SIGTERM arrives while this page is read
                    script.stop.requested = True
                script.yielded += 1
                yield script.page(self._scope, stream, number)
        finally:
            script.reading -= 1
            script.log.append(f"end {stream}")


@pytest.fixture
def stored_cursors(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every checkpoint the engine commits, in order (one per store)."""
    saved: list[bytes] = []
    save = FakeCheckpointRepository.save

    async def recording(self: FakeCheckpointRepository, connection_id: UUID, point: Any) -> None:
        saved.append(point.cursor)
        await save(self, connection_id, point)

    monkeypatch.setattr(FakeCheckpointRepository, "save", recording)
    return saved


async def _scripted(rig: SyncRig, script: Script | None = None) -> tuple[Script, UUID]:
    script = script or Script()
    rig.container.adapters.sync.source_readers.override(providers.Object(script))  # type: ignore[attr-defined]
    policy = SyncPolicy(store_records=BUDGET, streams_together=TOGETHER)
    rig.container.adapters.sync.policy.override(providers.Object(policy))  # type: ignore[attr-defined]
    return script, await rig.connect("zendesk", subdomain="acme")


def _tickets(rig: SyncRig) -> list[str]:
    return sorted(e.ref.source_id for e in rig.entities("ticket"))


async def test_small_pages_are_stored_together_and_counted_as_read(
    tmp_path: Path, stored_cursors: list[bytes]
) -> None:
    async with sync_rig(tmp_path) as rig:
        _, connection = await _scripted(rig)

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert stored_cursors == [b"10", b"20", b"30"]  # three commits for thirty pages
        (tickets,) = run.streams
        assert (tickets.pages, tickets.fetched, tickets.records_new) == (30, 300, 300)
        assert len(_tickets(rig)) == PAGES * PER_PAGE


async def test_pages_read_before_a_fault_are_stored_and_the_retry_resumes_after_them(
    tmp_path: Path, stored_cursors: list[bytes]
) -> None:
    async with sync_rig(tmp_path) as rig:
        script, connection = await _scripted(rig)
        script.fault_at = 15  # ten pages stored, five in hand when the provider fails

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert run.attempts == 2
        assert stored_cursors == [b"10", b"15", b"25", b"30"]
        assert script.starts["tickets"] == [0, 15]  # nothing read twice
        assert script.yielded == PAGES
        tickets = _tickets(rig)
        assert len(tickets) == len(set(tickets)) == PAGES * PER_PAGE
        assert run.totals.new == PAGES * PER_PAGE


async def test_a_stop_stores_the_pages_in_hand_at_once_and_hands_the_job_back(
    tmp_path: Path, stored_cursors: list[bytes]
) -> None:
    async with sync_rig(tmp_path) as rig:
        script, connection = await _scripted(rig)
        script.stop_after = 13
        request = await built(rig.container.use_cases.sync.request_sync)  # type: ignore[attr-defined]
        requested = await request.execute(rig.actor.scope, connection, RunTrigger.MANUAL)
        jobs = rig.store.tables.of(SyncTables).jobs
        job = jobs.pop(connection).job
        run_sync = await built(rig.container.use_cases.sync.run_sync)  # type: ignore[attr-defined]

        outcome = await run_sync.execute(job, script.stop)

        assert outcome.come_back_after == 0.0
        assert script.yielded == 13  # the stop is heard before page 14 is asked for
        assert stored_cursors == [b"10", b"13"]
        waiting = rig.run(requested.run.id)
        assert (waiting.status, waiting.error) == (RunStatus.WAITING, "worker_stopped")
        script.stop = StopSignal()
        outcome = await run_sync.execute(job, script.stop)
        assert outcome.come_back_after is None
        assert script.starts["tickets"] == [0, 13]
        assert rig.run(requested.run.id).status is RunStatus.SUCCEEDED
        assert len(_tickets(rig)) == PAGES * PER_PAGE


async def test_independent_streams_are_read_together_and_a_failing_one_loses_nothing(
    tmp_path: Path,
) -> None:
    channels = [f"ch:{n}" for n in range(1, 7)]
    async with sync_rig(tmp_path) as rig:
        script, connection = await _scripted(rig, Script(["tickets", *channels]))
        script.fault_in, script.fault_at = "ch:2", 15

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert run.attempts == 2
        assert script.log[:2] == ["begin tickets", "end tickets"]  # the others wait for it
        assert script.most_at_once == TOGETHER
        assert script.starts["ch:2"] == [0, 15]  # the failing stream resumes where it failed
        assert script.yielded == PAGES * (1 + len(channels))  # every page read exactly once
        tickets = _tickets(rig)
        assert len(tickets) == len(set(tickets)) == PAGES * PER_PAGE * (1 + len(channels))
        assert run.totals.new == len(tickets)
        assert sorted(s.stream for s in run.streams) == sorted(["tickets", *channels])


async def test_a_worker_that_lost_its_run_ends_a_fault_without_writing(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        script, connection = await _scripted(rig)
        script.fault_at = 10  # nothing in hand: the fault path itself must see the take-over

        async def taken_over() -> None:
            uow_for = rig.container.adapters.sync_uow()  # type: ignore[attr-defined]
            async with uow_for(rig.actor.scope) as uow:
                await uow.schedules.take_over(connection)
                await uow.commit()

        script.before_fault = taken_over
        request = await built(rig.container.use_cases.sync.request_sync)  # type: ignore[attr-defined]
        requested = await request.execute(rig.actor.scope, connection, RunTrigger.MANUAL)
        job = rig.store.tables.of(SyncTables).jobs.pop(connection).job
        run_sync = await built(rig.container.use_cases.sync.run_sync)  # type: ignore[attr-defined]

        outcome = await run_sync.execute(job, script.stop)

        assert outcome.come_back_after is None  # the job is the other worker's now
        run = rig.run(requested.run.id)
        assert (run.status, run.error, run.resume_at) == (RunStatus.RUNNING, None, None)


async def test_reaching_further_back_mid_run_starts_the_run_over_from_the_new_backfill(
    tmp_path: Path, stored_cursors: list[bytes]
) -> None:
    async with sync_rig(tmp_path) as rig:
        script, connection = await _scripted(rig)
        settings = await built(rig.container.use_cases.sync.change_sync_settings)  # type: ignore[attr-defined]
        await settings.execute(rig.actor.scope, connection, backfill_days=90)

        async def further_back() -> None:
            await settings.execute(rig.actor.scope, connection, backfill_days=365)

        script.before_page[15] = further_back  # ten pages stored, five in hand
        request = await built(rig.container.use_cases.sync.request_sync)  # type: ignore[attr-defined]
        requested = await request.execute(rig.actor.scope, connection, RunTrigger.MANUAL)
        job = rig.store.tables.of(SyncTables).jobs.pop(connection).job
        run_sync = await built(rig.container.use_cases.sync.run_sync)  # type: ignore[attr-defined]

        outcome = await run_sync.execute(job, script.stop)

        assert outcome.come_back_after is None  # the old attempt gave the run up...
        assert stored_cursors == [b"10"]  # ...and stored nothing after the change
        assert rig.run(requested.run.id).status is RunStatus.RUNNING  # still to be finished
        run = await rig.sync(connection)  # the scheduler's next tick takes it up again
        assert run.id == requested.run.id
        assert run.status is RunStatus.SUCCEEDED, run
        assert script.starts["tickets"] == [0, 0]  # from the new backfill: the cursor was cleared
