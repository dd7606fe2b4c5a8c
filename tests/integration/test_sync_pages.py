"""How the engine stores what a reader yields: small pages together, nothing read is lost.

The reader here is a script (one stream of numbered pages, a fault or a stop where the test
wants it), so the engine's own rules are what is tested: pages stored together up to the
policy's budget, the pages read before a fault or a stop stored before the run hands back,
and the next attempt resuming exactly after the last stored page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from dependency_injector import providers

from adapters.fakes.sync import FakeCheckpointRepository, SyncTables
from application.sync.ports import AccessSource, KnownRecords, ReadPlan, SourceReaders
from application.sync.run_sync import StopSignal, SyncPolicy
from domain.graph.model import EntityRecord, GraphBatch, SourceRef
from domain.sync.errors import SourceUnavailable
from domain.sync.page import SyncPage
from domain.sync.run import RunStatus, RunTrigger
from tests.factories.sync_rig import SyncRig, built, sync_rig

PAGES, PER_PAGE, BUDGET = 30, 10, 100  # ten pages fill the budget


class Script(SourceReaders):
    """One stream of ``PAGES`` pages of tickets; the cursor is the next page's number."""

    def __init__(self) -> None:
        self.starts: list[int] = []  # the page each read started from
        self.yielded = 0
        self.fault_at: int | None = None  # asking for this page fails, once
        self.stop_after: int | None = None  # the stop is asked for while this page is read
        self.stop = StopSignal()

    def supports(self, provider: str) -> bool:
        return True

    def reader(self, plan: ReadPlan, access: AccessSource, known: KnownRecords) -> _Reader:
        return _Reader(self, str(plan.connection.id))

    def page(self, scope: str, number: int) -> SyncPage:
        tickets = tuple(
            EntityRecord(
                ref=SourceRef(provider="zendesk", scope=scope, source_id=f"ticket:{number}:{i}"),
                type="ticket",
            )
            for i in range(PER_PAGE)
        )
        return SyncPage(
            batch=GraphBatch(entities=tickets), cursor=str(number + 1).encode(), fetched=PER_PAGE
        )


class _Reader:
    def __init__(self, script: Script, scope: str) -> None:
        self._script, self._scope = script, scope

    async def streams(self) -> Sequence[str]:
        return ["tickets"]

    async def read(self, stream: str, cursor: bytes | None) -> AsyncIterator[SyncPage]:
        script = self._script
        start = int(cursor or b"0")
        script.starts.append(start)
        for number in range(start, PAGES):
            if script.fault_at == number:
                script.fault_at = None
                raise SourceUnavailable(reason="server_error")
            if script.stop_after == number + 1:  # SIGTERM arrives while this page is fetched
                script.stop.requested = True
            script.yielded += 1
            yield script.page(self._scope, number)


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


async def _scripted(rig: SyncRig) -> tuple[Script, UUID]:
    script = Script()
    rig.container.adapters.sync.source_readers.override(providers.Object(script))  # type: ignore[attr-defined]
    policy = SyncPolicy(store_records=BUDGET)
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
        assert script.starts == [0, 15]  # nothing read twice
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
        assert script.starts == [0, 13]
        assert rig.run(requested.run.id).status is RunStatus.SUCCEEDED
        assert len(_tickets(rig)) == PAGES * PER_PAGE
