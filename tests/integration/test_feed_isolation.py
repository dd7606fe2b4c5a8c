"""Isolation of the feed on PostgreSQL, over random tenants, members, roles and events: what a
member's socket is handed live (the hub's fan-out, woken by NOTIFY through the listener) and
what it reads back on resume (its own scope) are exactly the events of its tenant that its role
and its private sources allow, in order, none twice."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.postgres.feed import PostgresMemberFeed, PostgresTenantFeed
from adapters.postgres.feed_listener import FeedListener
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.throwaway import ThrowawayDatabase
from adapters.postgres.uow import PostgresUnitOfWork
from application.feed.hub import FeedHub, Subscriber
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.feed.events import Audience, EventKind, FeedEvent, PublishedEvent
from domain.identity.model import Role
from tests.factories.feed_stack import kill_feed_listeners
from tests.factories.identity import seed_tenant_with_owner

pytestmark = pytest.mark.integration

# A tenant: the roles of its members after the owner. An event: (tenant, author, audience).
tenants = st.lists(st.lists(st.sampled_from([Role.ADMIN, Role.MEMBER]), max_size=2),
                   min_size=2, max_size=3)  # fmt: skip
events = st.lists(
    st.tuples(st.integers(0, 2), st.integers(0, 2), st.sampled_from(list(Audience))),
    min_size=1,
    max_size=25,
)


@pytest.fixture
async def hub(sessions: Any, database: ThrowawayDatabase) -> AsyncIterator[FeedHub]:
    hub = FeedHub(PostgresTenantFeed(sessions), batch=7)  # small batches: several reads
    listener = FeedListener(database.app, hub)
    running = asyncio.create_task(listener.run())
    await asyncio.wait_for(listener.connected.wait(), 30)
    yield hub
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    await hub.stop()


async def _drain(subscriber: Subscriber, until: int) -> list[PublishedEvent]:
    got: list[PublishedEvent] = []
    while not got or got[-1].seq < until:
        got += await asyncio.wait_for(subscriber.wait(), 5)
    return got


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(shape=tenants, planned=events)
async def test_a_member_hears_only_what_their_tenant_role_and_sources_allow(
    sessions: Any, hub: FeedHub, shape: list[list[Role]], planned: list[tuple[int, int, Audience]]
) -> None:
    people: list[list[Actor]] = []
    for roles in shape:
        tenant, users = await seed_tenant_with_owner(
            partial(PostgresIdentityUnitOfWork, sessions), members=len(roles)
        )
        people.append([
            Actor(tenant_id=tenant.id, user_id=u.id, role=r, session_id=u.id)
            for u, r in zip(users, [Role.OWNER, *roles], strict=True)
        ])  # fmt: skip
    # Members other than the owner keep the seeded role in the database; the feed decides by
    # the actor's role, which is what a confirmed session carries.
    subscribers = {a.user_id: Subscriber(a, limit=1000) for ps in people for a in ps}
    for subscriber in subscribers.values():
        await hub.join(subscriber)
    try:
        await _announce_and_check(sessions, people, subscribers, planned)
    finally:
        for subscriber in subscribers.values():
            hub.leave(subscriber)
    assert hub.subscribers == 0


async def _announce_and_check(
    sessions: Any,
    people: list[list[Actor]],
    subscribers: dict[Any, Subscriber],
    planned: list[tuple[int, int, Audience]],
) -> None:
    expected: dict[Any, list[tuple[int, int]]] = {user: [] for user in subscribers}  # (seq, n)
    numbered = [0] * len(people)  # fresh tenants: their events are numbered from 1
    for n, (t, who, audience) in enumerate(planned):
        members = people[t % len(people)]
        author = members[who % len(members)]
        private_to = author.user_id if audience is Audience.PRIVATE else None
        event = FeedEvent(kind=EventKind.SYNC_PROGRESS, data={"n": n}, audience=audience,
                          private_to=private_to)  # fmt: skip
        async with PostgresUnitOfWork(sessions, author.scope) as uow:
            uow.events.announce(event)
            await uow.commit()
        numbered[t % len(people)] += 1
        for reader in members:
            if _may_see(reader, audience, private_to):
                expected[reader.user_id].append((numbered[t % len(people)], n))
    feed = PostgresMemberFeed(sessions)
    for actor in (a for members in people for a in members):
        wanted = expected[actor.user_id]
        live = await _drain(subscribers[actor.user_id], wanted[-1][0]) if wanted else []
        assert [(e.seq, e.data["n"]) for e in live] == wanted
        replayed = await feed.after(actor, 0, 1000)
        assert [(e.seq, e.data["n"]) for e in replayed] == wanted


def _may_see(reader: Actor, audience: Audience, private_to: Any) -> bool:
    if audience is Audience.ADMINS:
        return reader.role in (Role.OWNER, Role.ADMIN)
    if audience is Audience.PRIVATE:
        return reader.user_id == private_to
    return True


async def test_a_listener_that_loses_its_connection_reconnects_and_loses_no_event(
    sessions: Any, database: ThrowawayDatabase
) -> None:
    hub = FeedHub(PostgresTenantFeed(sessions))
    listener = FeedListener(database.app, hub, health_seconds=1.0)
    running = asyncio.create_task(listener.run())
    try:
        await asyncio.wait_for(listener.connected.wait(), 30)
        tenant, (owner,) = await seed_tenant_with_owner(
            partial(PostgresIdentityUnitOfWork, sessions)
        )
        actor = Actor(tenant_id=tenant.id, user_id=owner.id, role=Role.OWNER, session_id=owner.id)
        subscriber = Subscriber(actor, limit=1000)
        await hub.join(subscriber)
        scope = Scope(tenant_id=tenant.id, user_id=owner.id)
        killed = await kill_feed_listeners(database.superuser)
        assert killed == 1
        for n in range(30):  # written while nobody listens: their notices are lost
            async with PostgresUnitOfWork(sessions, scope) as uow:
                uow.events.announce(FeedEvent(kind=EventKind.SYNC_PROGRESS, data={"n": n}))
                await uow.commit()
        got = await _drain(subscriber, 30)
        assert [e.seq for e in got] == list(range(1, 31))
        assert listener.connections >= 2
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await hub.stop()
