"""The feed's outbox on PostgreSQL: numbered without gaps in commit order, written only with
its transaction, read back by each member as their role and their private sources allow."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import asyncpg
import pytest

from adapters.postgres.feed import PostgresFeedRetention, PostgresMemberFeed, PostgresTenantFeed
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.throwaway import ThrowawayDatabase
from adapters.postgres.uow import PostgresUnitOfWork
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.feed.events import Audience, EventKind, FeedEvent
from domain.identity.model import Role
from domain.identity.sessions import RevocationReason
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId
from tests.factories.identity import create_membership, seed_sessions, seed_tenant_with_owner

pytestmark = pytest.mark.integration


def _event(n: int, audience: Audience = Audience.MEMBERS, to: UserId | None = None) -> FeedEvent:
    return FeedEvent(kind=EventKind.MEMBER_CHANGED, data={"n": n}, audience=audience, private_to=to)


def _actor(tenant: TenantId, user: UserId, role: Role) -> Actor:
    return Actor(tenant_id=tenant, user_id=user, role=role, session_id=user)


async def _announce(sessions: Any, scope: Scope, *events: FeedEvent, commit: bool = True) -> None:
    async with PostgresUnitOfWork(sessions, scope) as uow:
        for event in events:
            uow.events.announce(event)
        if commit:
            await uow.commit()


async def test_numbers_are_gapless_and_follow_commit_order_under_concurrent_writers(
    sessions: Any,
) -> None:
    tenant, (owner,) = await seed_tenant_with_owner(partial(PostgresIdentityUnitOfWork, sessions))
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)
    rng = random.Random(7)
    plans = [(n, rng.randint(1, 3), rng.random() < 0.25) for n in range(40)]

    async def writer(n: int, size: int, rolled_back: bool) -> None:
        events = [_event(n * 10 + k) for k in range(size)]
        await _announce(sessions, scope, *events, commit=not rolled_back)

    await asyncio.gather(*(writer(*plan) for plan in plans))
    kept = [(n, size) for n, size, rolled_back in plans if not rolled_back]
    stored = await PostgresTenantFeed(sessions).after(tenant.id, 0, 1000)
    assert [e.seq for e in stored] == list(range(1, sum(s for _, s in kept) + 1))
    # A transaction's events are consecutive and in the order they were announced.
    by_writer: dict[int, list[int]] = {}
    for event in stored:
        by_writer.setdefault(event.data["n"] // 10, []).append(event.seq)
    assert sorted(by_writer) == sorted(n for n, _ in kept)
    for seqs in by_writer.values():
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))
    heads = await PostgresTenantFeed(sessions).heads([tenant.id])
    assert heads == {tenant.id: len(stored)}


async def test_each_member_reads_the_events_their_role_and_private_sources_allow(
    sessions: Any,
) -> None:
    tenant, (owner, ada, bob) = await seed_tenant_with_owner(
        partial(PostgresIdentityUnitOfWork, sessions), members=2
    )
    other, (stranger,) = await seed_tenant_with_owner(partial(PostgresIdentityUnitOfWork, sessions))
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)
    await _announce(sessions, scope, _event(1), _event(2, Audience.ADMINS))
    await _announce(sessions, Scope(tenant_id=tenant.id, user_id=ada.id),
                    _event(3, Audience.PRIVATE, ada.id))  # fmt: skip
    await _announce(sessions, Scope(tenant_id=tenant.id, user_id=bob.id),
                    _event(4, Audience.PRIVATE, bob.id))  # fmt: skip
    await _announce(sessions, Scope(tenant_id=other.id, user_id=stranger.id), _event(5))
    feed = PostgresMemberFeed(sessions)
    seen = {}
    for person, role in ((owner, Role.OWNER), (ada, Role.MEMBER), (bob, Role.MEMBER)):
        actor = _actor(tenant.id, person.id, role)
        seen[person.id] = [e.data["n"] for e in await feed.after(actor, 0, 100)]
        position = await feed.position(actor)
        assert (position.head, position.floor) == (4, 0)
        assert position.latest == max(seen[person.id])
    assert seen == {owner.id: [1, 2], ada.id: [1, 3], bob.id: [1, 4]}
    stranger_actor = _actor(other.id, stranger.id, Role.OWNER)
    assert [e.data["n"] for e in await feed.after(stranger_actor, 0, 100)] == [5]


async def test_row_security_hides_a_colleagues_private_events_even_from_a_careless_query(
    sessions: Any,
) -> None:
    tenant, (owner, ada) = await seed_tenant_with_owner(
        partial(PostgresIdentityUnitOfWork, sessions), members=1
    )
    await _announce(sessions, Scope(tenant_id=tenant.id, user_id=ada.id),
                    _event(1, Audience.PRIVATE, ada.id), _event(2))  # fmt: skip
    async with PostgresUnitOfWork(sessions, Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
        raw = await (await uow.session.connection()).get_raw_connection()
        rows = await raw.driver_connection.fetch("SELECT data->>'n' AS n FROM atlas.tenant_events")
    assert [r["n"] for r in rows] == ["2"]
    with pytest.raises(ScopeViolation):
        # Nobody announces an event private to someone else.
        await _announce(sessions, Scope(tenant_id=tenant.id, user_id=owner.id),
                        _event(3, Audience.PRIVATE, ada.id))  # fmt: skip


async def test_the_app_role_cannot_rewrite_or_delete_what_was_announced(
    sessions: Any, database: ThrowawayDatabase
) -> None:
    tenant, (owner,) = await seed_tenant_with_owner(partial(PostgresIdentityUnitOfWork, sessions))
    await _announce(sessions, Scope(tenant_id=tenant.id, user_id=owner.id), _event(1))
    conn = await asyncpg.connect(**database.app.asyncpg_kwargs())
    try:
        async with conn.transaction():
            await conn.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant.id))
            for statement in (
                "UPDATE atlas.tenant_events SET data = '{}'",
                "DELETE FROM atlas.tenant_events",
            ):
                with pytest.raises(asyncpg.InsufficientPrivilegeError):
                    async with conn.transaction():
                        await conn.execute(statement)
    finally:
        await conn.close()


async def test_retention_keeps_a_week_or_the_newest_events_and_records_its_floor(
    sessions: Any,
) -> None:
    tenant, (owner,) = await seed_tenant_with_owner(partial(PostgresIdentityUnitOfWork, sessions))
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)
    await _announce(sessions, scope, *(_event(n) for n in range(10)))
    retention, feed = PostgresFeedRetention(sessions), PostgresMemberFeed(sessions)
    actor = _actor(tenant.id, owner.id, Role.OWNER)
    week_ago = datetime.now(UTC) - timedelta(days=7)
    await retention.prune(week_ago, 3)  # nothing is a week old: everything stays
    assert len(await feed.after(actor, 0, 100)) == 10
    await retention.prune(datetime.now(UTC) + timedelta(seconds=1), 3)
    assert [e.seq for e in await feed.after(actor, 0, 100)] == [8, 9, 10]
    position = await feed.position(actor)
    assert (position.floor, position.head, position.latest) == (7, 10, 10)


async def test_every_way_a_session_or_membership_ends_notifies_the_listeners(
    sessions: Any, database: ThrowawayDatabase
) -> None:
    uow_for = partial(PostgresIdentityUnitOfWork, sessions)
    tenant, (owner, ada, bob) = await seed_tenant_with_owner(uow_for, members=2)
    seeded = await seed_sessions(uow_for, tenant, owner)
    heard: asyncio.Queue[str] = asyncio.Queue()
    listener = await asyncpg.connect(**database.app.asyncpg_kwargs())
    await listener.add_listener("atlas_sessions", lambda *args: heard.put_nowait(args[3]))
    try:
        async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
            await uow.sessions.save_family(
                seeded.family.revoke(datetime.now(UTC), RevocationReason.LOGOUT)
            )
            await uow.commit()
        assert await asyncio.wait_for(heard.get(), 10) == f"{tenant.id}:{owner.id}"
        async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
            await uow.memberships.save(create_membership(tenant.id, ada.id, Role.ADMIN))
            await uow.commit()
        assert await asyncio.wait_for(heard.get(), 10) == f"{tenant.id}:{ada.id}"
        async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
            await uow.memberships.remove(bob.id)
            await uow.commit()
        assert await asyncio.wait_for(heard.get(), 10) == f"{tenant.id}:{bob.id}"
        async with uow_for(Scope(tenant_id=tenant.id, user_id=owner.id)) as uow:
            await uow.memberships.remove(ada.id)  # rolled back: nobody is told
        await asyncio.sleep(0.2)
        assert heard.empty()
    finally:
        await listener.close()
