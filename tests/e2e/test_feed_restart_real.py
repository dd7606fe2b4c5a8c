"""A database restart under two API processes with open sockets loses no feed event: the
listeners reconnect and catch up from the outbox, and a socket the restart closed resumes
with ``after``. Each subscriber ends with every event exactly once, in order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.throwaway import ThrowawayDatabase, start_throwaway_database
from adapters.postgres.uow import PostgresUnitOfWork
from domain.feed.events import EventKind, FeedEvent
from tests.factories.feed_stack import FeedClient, scope_of, sign_up, two_api_processes

pytestmark = pytest.mark.e2e


@pytest.fixture
async def own_cluster() -> AsyncIterator[ThrowawayDatabase]:
    """A cluster of its own: restarting the session's shared one would disturb other tests."""
    database = await start_throwaway_database()
    try:
        yield database
    finally:
        database.cluster.destroy()


async def test_a_database_restart_loses_no_event_for_any_subscriber(
    own_cluster: ThrowawayDatabase, tmp_path: Path
) -> None:
    url = own_cluster.app.render(hide_password=False)
    engine = create_engine(own_cluster.app, pool_size=2, max_overflow=0)
    sessions = session_factory(engine)

    async def announce(first: int, count: int) -> None:
        for start in range(first, first + count, 50):
            async with PostgresUnitOfWork(sessions, scope) as uow:
                for n in range(start, start + 50):
                    uow.events.announce(FeedEvent(kind=EventKind.SYNC_PROGRESS, data={"n": n}))
                await uow.commit()

    try:
        async with two_api_processes(tmp_path / "atlas", url, tmp_path) as apis:
            owner = await sign_up(apis[0], f"owner-{uuid4().hex[:8]}@example.com")
            scope = scope_of(owner)
            subscribers = [FeedClient(api, owner["access_token"]) for api in apis]
            for subscriber in subscribers:
                await subscriber.open(after=0)
            await announce(0, 100)
            for subscriber in subscribers:
                await subscriber.collect_until(100)
            own_cluster.cluster.stop()
            own_cluster.cluster.start()
            await announce(100, 500)
            for subscriber in subscribers:
                await subscriber.collect_until(600, within=120)
                assert [e["seq"] for e in subscriber.events] == list(range(1, 601))
                assert [e["data"]["n"] for e in subscriber.events] == list(range(600))
                await subscriber.close()
    finally:
        await engine.dispose()
