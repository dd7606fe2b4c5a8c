"""The sync tables and the job queue behave alike on the fakes and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

import msgspec
import pytest

from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.store import InMemoryStore
from adapters.fakes.sync import FakeSyncCensus, FakeSyncUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.sync_uow import PostgresSyncCensus, PostgresSyncUnitOfWork
from application.shared.scope import Scope
from application.sync.ports import Checkpoint, SyncCensus, SyncJob, SyncUnitOfWork
from domain.shared.errors import ScopeViolation
from domain.shared.ids import new_id
from domain.sync.run import PageCounts, RunStatus, RunTrigger, SyncRun
from domain.sync.schedule import SyncSchedule
from tests.factories.bypass import POSTGRES_VARIANTS
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.integrations import WHEN, seed_connection


@dataclass
class Side:
    identity_uow: Callable[[Scope], Any]
    uow_for: Callable[[Scope], SyncUnitOfWork]
    census: SyncCensus

    async def owner_and_colleague(self) -> tuple[Scope, Scope]:
        tenant, people = await seed_tenant_with_owner(self.identity_uow, members=1)
        me, colleague = (Scope(tenant_id=tenant.id, user_id=p.id) for p in people)
        return me, colleague


@pytest.fixture(params=POSTGRES_VARIANTS)
def side(request: pytest.FixtureRequest) -> Side:
    if request.param == "fake":
        store = InMemoryStore()
        return Side(
            partial(FakeIdentityUnitOfWork, store),
            partial(FakeSyncUnitOfWork, store),
            FakeSyncCensus(store),
        )
    bypass = request.param == "bypass"
    sessions = request.getfixturevalue("bypass").sessions if bypass else None
    sessions = sessions or request.getfixturevalue("sessions")
    return Side(
        partial(PostgresIdentityUnitOfWork, sessions),
        partial(PostgresSyncUnitOfWork, sessions),
        PostgresSyncCensus(sessions),
    )


def run_of(scope: Scope, connection_id: Any, **changes: Any) -> SyncRun:
    run = SyncRun.requested(
        id=new_id(),
        tenant_id=scope.tenant_id,  # type: ignore[arg-type]
        user_id=scope.user_id,  # type: ignore[arg-type]
        connection_id=connection_id,
        provider="hubspot",
        trigger=RunTrigger.MANUAL,
        at=WHEN,
    )
    return msgspec.structs.replace(run, **changes)


async def test_a_connection_has_one_active_run_and_its_runs_are_private(side: Side) -> None:
    me, colleague = await side.owner_and_colleague()
    connection = await seed_connection(side.identity_uow, me)
    first, second = run_of(me, connection), run_of(me, connection)

    async with side.uow_for(me) as uow:
        added = await uow.runs.add(first)
        refused = await uow.runs.add(second)
        await uow.commit()
    async with side.uow_for(colleague) as uow:
        peek = (await uow.runs.get(first.id), await uow.runs.active(connection))
        with pytest.raises(ScopeViolation):
            await uow.runs.add(run_of(me, connection))
    async with side.uow_for(me) as uow:
        await uow.runs.save(first.started(WHEN).succeeded(WHEN + timedelta(minutes=1)))
        after_finish = await uow.runs.add(second)
        await uow.commit()
    async with side.uow_for(me) as uow:
        latest = await uow.runs.latest(connection, limit=10, before=None)

    assert (added, refused, after_finish) == (True, False, True)
    assert peek == (None, None)
    assert [r.id for r in latest] == sorted([first.id, second.id], reverse=True)
    assert {r.status for r in latest} == {RunStatus.SUCCEEDED, RunStatus.QUEUED}


async def test_pages_add_up_per_stream_and_checkpoints_replace_each_other(side: Side) -> None:
    me, _ = await side.owner_and_colleague()
    connection = await seed_connection(side.identity_uow, me)
    run = run_of(me, connection)
    position = WHEN - timedelta(hours=1)

    async with side.uow_for(me) as uow:
        await uow.runs.add(run)
        await uow.runs.record_page(run.id, "tickets", PageCounts(fetched=5, new=3), None)
        counts = PageCounts(pages=3, fetched=2, changed=1)  # three pages stored together
        await uow.runs.record_page(run.id, "tickets", counts, position)
        await uow.runs.finish_stream(run.id, "tickets", WHEN)
        for cursor in (b"one", b"two"):
            checkpoint = Checkpoint(
                stream="tickets", cursor=cursor, position=position, updated_at=WHEN
            )
            await uow.checkpoints.save(connection, checkpoint)
        await uow.commit()
    async with side.uow_for(me) as uow:
        stored = await uow.runs.get(run.id)
        checkpoints = await uow.checkpoints.all(connection)

    assert stored is not None
    (tickets,) = stored.streams
    assert (tickets.pages, tickets.fetched, tickets.records_new, tickets.records_changed) == (
        4,
        7,
        3,
        1,
    )
    assert (tickets.position, tickets.finished_at) == (position, WHEN)
    assert checkpoints["tickets"].cursor == b"two"


async def test_the_fence_moves_on_with_each_take_over(side: Side) -> None:
    me, _ = await side.owner_and_colleague()
    connection = await seed_connection(side.identity_uow, me)

    async with side.uow_for(me) as uow:
        first = await uow.schedules.take_over(connection)
        second = await uow.schedules.take_over(connection)
        held = (
            await uow.schedules.holds(connection, first),
            await uow.schedules.holds(connection, second),
        )
        schedule = await uow.schedules.get(connection)
        assert schedule is not None
        await uow.schedules.save(msgspec.structs.replace(schedule, backfill_days=30, fence=0))
        await uow.commit()
    async with side.uow_for(me) as uow:
        saved = await uow.schedules.get(connection)

    assert second == first + 1
    assert held == (False, True)
    assert saved is not None
    assert (saved.backfill_days, saved.fence) == (30, second)  # save never moves the fence


async def test_a_connection_is_due_until_its_next_run_is_set_in_the_future(side: Side) -> None:
    me, _ = await side.owner_and_colleague()
    connection = await seed_connection(side.identity_uow, me)
    schedule = SyncSchedule(
        tenant_id=me.tenant_id,  # type: ignore[arg-type]
        user_id=me.user_id,  # type: ignore[arg-type]
        connection_id=connection,
    )

    async with side.uow_for(me) as uow:
        unscheduled = await uow.schedules.due(connection, WHEN)
        await uow.schedules.save(schedule)
        never_run = await uow.schedules.due(connection, WHEN)
        await uow.schedules.save(schedule.after_run(new_id(), WHEN, 900, ok=True))
        before = await uow.schedules.due(connection, WHEN + timedelta(seconds=899))
        at = await uow.schedules.due(connection, WHEN + timedelta(seconds=900))
        await uow.commit()

    assert (unscheduled, never_run, before, at) == (True, True, False, True)


async def test_the_census_finds_due_active_connections_across_tenants(side: Side) -> None:
    me, _ = await side.owner_and_colleague()
    other, _ = await side.owner_and_colleague()
    due = await seed_connection(side.identity_uow, me)
    later = await seed_connection(side.identity_uow, other)
    dead = await seed_connection(side.identity_uow, other, provider="jira")
    async with side.uow_for(other) as uow:
        schedule = SyncSchedule(
            tenant_id=other.tenant_id,  # type: ignore[arg-type]
            user_id=other.user_id,  # type: ignore[arg-type]
            connection_id=later,
            next_run_at=WHEN + timedelta(hours=1),
        )
        await uow.schedules.save(schedule)
        connection = await uow.connections.get(dead)
        assert connection is not None
        await uow.connections.save(connection.needs_reauth("invalid_grant", WHEN))
        await uow.commit()

    # Pairs: the census spans tenants by design, and an id is only unique within its tenant
    # (the bypass variant's twins reuse every id).
    found = {(d.tenant_id, d.connection_id) for d in await side.census.due(WHEN, 10_000)}
    later_on = await side.census.due(WHEN + timedelta(hours=2), 10_000)
    found_later = {(d.tenant_id, d.connection_id) for d in later_on}

    assert (me.tenant_id, due) in found
    assert (other.tenant_id, later) not in found
    assert (other.tenant_id, later) in found_later
    assert (other.tenant_id, dead) not in found_later


async def test_a_sync_job_is_enqueued_with_its_run_and_deduplicated(side: Side) -> None:
    me, _ = await side.owner_and_colleague()
    connection = await seed_connection(side.identity_uow, me)
    job = SyncJob(
        tenant_id=me.tenant_id,  # type: ignore[arg-type]
        user_id=me.user_id,  # type: ignore[arg-type]
        connection_id=connection,
        run_id=new_id(),
    )

    async with side.uow_for(me) as uow:
        rolled_back = await uow.jobs.enqueue_sync(job)  # never committed
    async with side.uow_for(me) as uow:
        first = await uow.jobs.enqueue_sync(job)
        second = await uow.jobs.enqueue_sync(job)
        await uow.commit()

    assert (rolled_back, first, second) == (True, True, False)
