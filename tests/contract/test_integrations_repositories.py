"""The integrations' repositories behave alike on the fakes and on PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

import pytest

from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.integrations import FakeIntegrationsUnitOfWork
from adapters.fakes.store import InMemoryStore
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.integrations import PostgresIntegrationsUnitOfWork
from application.integrations.ports import IntegrationsUnitOfWork
from application.shared.scope import Scope
from domain.integrations.connection import ConnectionStatus
from domain.integrations.errors import RefreshBusy
from domain.shared.errors import ScopeViolation
from tests.factories.bypass import POSTGRES_VARIANTS
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.integrations import WHEN, create_connection, create_pending, seed_connection

BINDING, OTHER = b"b" * 32, b"o" * 32


@dataclass
class Side:
    identity_uow: Callable[[Scope], Any]
    uow_for: Callable[[Scope], IntegrationsUnitOfWork]

    async def people(self, members: int = 1) -> tuple[Scope, ...]:
        tenant, people = await seed_tenant_with_owner(self.identity_uow, members=members)
        return tuple(Scope(tenant_id=tenant.id, user_id=p.id) for p in people)


@pytest.fixture(params=POSTGRES_VARIANTS)
def side(request: pytest.FixtureRequest) -> Side:
    if request.param == "fake":
        store = InMemoryStore()
        return Side(
            partial(FakeIdentityUnitOfWork, store), partial(FakeIntegrationsUnitOfWork, store)
        )
    bypass = request.param == "bypass"
    sessions = request.getfixturevalue("bypass").sessions if bypass else None
    sessions = sessions or request.getfixturevalue("sessions")
    return Side(
        partial(PostgresIdentityUnitOfWork, sessions),
        partial(PostgresIntegrationsUnitOfWork, sessions),
    )


async def test_owners_see_every_connection_of_their_tenant_and_members_none(side: Side) -> None:
    owner, member = await side.people()
    stranger, *_ = await side.people(members=0)
    mine = await seed_connection(side.identity_uow, member, provider="gmail")
    theirs = await seed_connection(side.identity_uow, owner, provider="hubspot")
    await seed_connection(side.identity_uow, stranger, provider="jira")

    seen = {}
    for who, scope in (("owner", owner), ("member", member), ("stranger", stranger)):
        async with side.uow_for(scope) as uow:
            seen[who] = [(c.id, c.user_id, c.provider) for c in await uow.directory.of_tenant()]

    assert sorted(seen["owner"]) == sorted(
        [(mine, member.user_id, "gmail"), (theirs, owner.user_id, "hubspot")]
    )
    assert seen["member"] == []  # the database checks the role, not only the use case
    assert [p for _, _, p in seen["stranger"]] == ["jira"]  # their own tenant's only


async def test_connections_are_private_to_their_user_and_saved_by_id(side: Side) -> None:
    me, colleague = await side.people()
    first = create_connection(me, at=WHEN)
    later = create_connection(me, provider="jira", at=WHEN + timedelta(minutes=1))
    failed = first.failed("http_503", WHEN, WHEN + timedelta(seconds=30))

    async with side.uow_for(me) as uow:
        for connection in (first, later, failed):
            await uow.connections.save(connection)
        await uow.commit()
    async with side.uow_for(colleague) as uow:
        theirs = await uow.connections.all()
        peek = await uow.connections.get(first.id)
        with pytest.raises(ScopeViolation):
            await uow.connections.save(first)
    async with side.uow_for(me) as uow:
        mine = await uow.connections.all()

    assert (theirs, peek) == ([], None)
    assert [c.id for c in mine] == [later.id, first.id]  # newest first
    assert mine[1] == failed
    assert mine[1].status is ConnectionStatus.ERROR


async def test_a_state_is_consumed_once_and_only_by_its_browser_and_platform(side: Side) -> None:
    (me,) = await side.people(members=0)
    pending = create_pending(me, binding_hash=BINDING)
    async with side.uow_for(me) as uow:
        await uow.pending.add(pending)
        await uow.commit()
    now, state = WHEN + timedelta(minutes=1), pending.state_hash

    async with side.uow_for(me) as uow:
        other_browser = await uow.pending.consume(state, OTHER, "slack", now)
        other_platform = await uow.pending.consume(state, BINDING, "google", now)
        first = await uow.pending.consume(state, BINDING, "slack", now)
        second = await uow.pending.consume(state, BINDING, "slack", now)
        found = await uow.pending.find(state)
        await uow.commit()

    assert (other_browser, other_platform, second) == (None, None, None)
    assert first is not None
    assert first.consumed_at == now
    assert found == first


async def test_an_expired_state_or_ticket_is_not_used(side: Side) -> None:
    (me,) = await side.people(members=0)
    pending = create_pending(me, binding_hash=BINDING)
    async with side.uow_for(me) as uow:
        await uow.pending.add(pending)
        await uow.commit()

    async with side.uow_for(me) as uow:
        late_ticket = await uow.pending.open_ticket(
            pending.ticket_hash, BINDING, WHEN + timedelta(minutes=5)
        )
        late_state = await uow.pending.consume(
            pending.state_hash, BINDING, "slack", WHEN + timedelta(minutes=10)
        )
        forgotten = await uow.pending.forget_expired(WHEN + timedelta(minutes=11))
        await uow.commit()  # fmt: skip

    assert (late_ticket, late_state, forgotten) == (None, None, 1)


async def test_a_ticket_binds_one_browser_once(side: Side) -> None:
    (me,) = await side.people(members=0)
    pending = create_pending(me)
    async with side.uow_for(me) as uow:
        await uow.pending.add(pending)
        await uow.commit()

    async with side.uow_for(me) as uow:
        opened = await uow.pending.open_ticket(pending.ticket_hash, BINDING, WHEN)
        again = await uow.pending.open_ticket(pending.ticket_hash, OTHER, WHEN)
        await uow.commit()

    assert opened is not None
    assert opened.binding_hash == BINDING
    assert opened.ticket_used_at == WHEN
    assert again is None


async def test_two_callbacks_racing_with_one_state_let_exactly_one_through(side: Side) -> None:
    (me,) = await side.people(members=0)
    pending = create_pending(me, binding_hash=BINDING)
    async with side.uow_for(me) as uow:
        await uow.pending.add(pending)
        await uow.commit()

    async def callback() -> Any:
        async with side.uow_for(me) as uow:
            won = await uow.pending.consume(pending.state_hash, BINDING, "slack", WHEN)
            await uow.commit()
        return won

    results = await asyncio.gather(*(callback() for _ in range(5)))

    assert sum(r is not None for r in results) == 1


async def test_a_second_refresher_waits_for_the_lock_then_gives_up(side: Side) -> None:
    (me,) = await side.people(members=0)
    connection_id = await seed_connection(side.identity_uow, me)

    async with side.uow_for(me) as holder:
        await holder.locks.hold(connection_id, 5)
        async with side.uow_for(me) as waiter:
            with pytest.raises(RefreshBusy):
                await waiter.locks.hold(connection_id, 0.2)
    async with side.uow_for(me) as after:
        await after.locks.hold(connection_id, 0.2)  # released with its transaction
