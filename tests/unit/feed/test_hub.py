"""The per-process fan-out on fakes: who is offered what, from where, and when a socket must go."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from application.feed import hub as hub_module
from application.feed.hub import SESSION_ENDED, SLOW_CONSUMER, FeedHub, Subscriber
from domain.feed.events import PublishedEvent
from domain.shared.ids import TenantId
from tests.factories.feed import TIMEOUT, FeedRig, WatchedTenantFeed, alert, event, private

pytestmark = pytest.mark.unit


async def _join(hub: FeedHub, subscriber: Subscriber) -> int:
    return await asyncio.wait_for(hub.join(subscriber), TIMEOUT)


async def _drain(subscriber: Subscriber, through: int) -> list[PublishedEvent]:
    got: list[PublishedEvent] = []
    async with asyncio.timeout(TIMEOUT):
        while not got or got[-1].seq < through:
            events = await subscriber.wait()
            assert events, "woken without events"  # else this would spin
            got += events
    return got


async def test_join_answers_the_head_and_offers_only_what_is_committed_later(rig: FeedRig) -> None:
    await rig.announce(event(n=1), event(n=2))
    sut = Subscriber(rig.people["member"], limit=10)

    head = await _join(rig.hub, sut)
    later = await rig.announce(event(n=3))

    assert head == 2
    assert [e.data for e in await _drain(sut, later)] == [{"n": 3}]


async def test_a_subscriber_is_offered_only_what_its_member_may_see(rig: FeedRig) -> None:
    member, colleague = rig.people["member"], rig.people["colleague"]
    sut = Subscriber(member, limit=10)
    await _join(rig.hub, sut)

    await rig.announce(alert(n=1), private(colleague, n=2), private(member, n=3), event(n=4))

    assert [e.data["n"] for e in await _drain(sut, 4)] == [3, 4]


async def test_leaving_drops_the_tenant_so_its_notices_read_nothing(rig: FeedRig) -> None:
    sut = Subscriber(rig.people["member"], limit=10)
    await _join(rig.hub, sut)

    rig.hub.leave(sut)
    await rig.announce(event())
    head = await _join(rig.hub, Subscriber(rig.people["owner"], limit=10))

    assert rig.tenant_feed.tenants_read == []
    assert rig.tenant_feed.heads_asked == 3  # each join, and the rig's own head() after commit
    assert head == 1


async def test_a_notice_for_a_tenant_without_subscribers_costs_nothing(rig: FeedRig) -> None:
    other = FeedRig(store=rig.store)  # a second tenant in the same store, heard by rig.hub
    await other.seed()
    sut = Subscriber(rig.people["member"], limit=10)
    await _join(rig.hub, sut)

    await other.announce(event(n=1))
    rig.hub.notice(other.people["owner"].tenant_id, 5)
    mine = await rig.announce(event(n=2))
    await _drain(sut, mine)

    assert set(rig.tenant_feed.tenants_read) == {rig.people["member"].tenant_id}
    assert rig.hub.subscribers == 1


async def test_an_overflowing_queue_keeps_only_the_newest_and_marks_the_subscriber_behind(
    rig: FeedRig,
) -> None:
    sut = Subscriber(rig.people["member"], limit=2)
    patient = Subscriber(rig.people["owner"], limit=10)
    await _join(rig.hub, sut)
    await _join(rig.hub, patient)

    head = await rig.announce(event(n=1), event(n=2), event(n=3), event(n=4))
    await _drain(patient, head)
    kept = await asyncio.wait_for(sut.wait(), TIMEOUT)

    assert sut.behind
    assert sut.closing is None  # a burst costs a read of the outbox, not the connection
    assert [e.seq for e in kept] == [3, 4]


def test_a_closed_subscriber_keeps_its_first_reason_and_takes_no_more(rig: FeedRig) -> None:
    sut = Subscriber(rig.people["member"], limit=2)

    sut.close(SLOW_CONSUMER)
    sut.close(SESSION_ENDED)

    assert sut.closing == SLOW_CONSUMER


async def test_resume_reads_every_tenant_again_and_asks_every_socket_to_recheck(
    rig: FeedRig,
) -> None:
    member, owner = Subscriber(rig.people["member"], limit=10), Subscriber(rig.people["owner"], 10)
    await _join(rig.hub, member)
    await _join(rig.hub, owner)
    rig.hub.leave(Subscriber(rig.people["admin"], limit=10))  # never joined: changes nothing
    rig.store.feed_notices.listeners.clear()  # type: ignore[attr-defined] # the listener is down

    head = await rig.announce(event(n=1), event(n=2), event(n=3))
    unheard = rig.tenant_feed.tenants_read[:]
    await rig.hub.resume()
    rechecks = [member.recheck, owner.recheck]
    member.recheck = owner.recheck = False  # what each socket does once it has rechecked

    assert unheard == []
    assert rechecks == [True, True]
    assert [e.seq for e in await _drain(member, head)] == [1, 2, 3]
    assert [e.seq for e in await _drain(owner, head)] == [1, 2, 3]


async def test_a_session_notice_marks_only_that_members_sockets(rig: FeedRig) -> None:
    phone, laptop = Subscriber(rig.people["member"], 10), Subscriber(rig.people["member"], 10)
    colleague = Subscriber(rig.people["colleague"], limit=10)
    for subscriber in (phone, laptop, colleague):
        await _join(rig.hub, subscriber)

    rig.hub.session_notice(rig.people["member"].tenant_id, rig.people["member"].user_id)
    rig.hub.session_notice(rig.people["member"].tenant_id, rig.people["owner"].user_id)

    assert (phone.recheck, laptop.recheck, colleague.recheck) == (True, True, False)
    assert await asyncio.wait_for(phone.wait(), TIMEOUT) == []  # it wakes to recheck


async def test_a_failing_read_is_retried_until_the_events_are_delivered(
    rig: FeedRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hub_module, "RETRY_SECONDS", 0.01)
    flaky = WatchedTenantFeed(rig.store, failures=2)
    sut = hub_module.FeedHub(flaky)
    rig.store.feed_notices.listeners.append(sut.notice)  # type: ignore[attr-defined]
    subscriber = Subscriber(rig.people["member"], limit=10)
    await _join(sut, subscriber)

    head = await rig.announce(event(n=1), event(n=2))
    got = await _drain(subscriber, head)
    await sut.stop()

    assert [e.seq for e in got] == [1, 2]
    assert len(flaky.tenants_read) == 3  # two failures, then the read that delivered


async def test_a_failing_head_read_fails_the_join_and_a_later_join_starts_afresh(
    rig: FeedRig,
) -> None:
    class Flaky(WatchedTenantFeed):
        down = True

        async def heads(self, tenants: Any) -> dict[TenantId, int]:
            if self.down:
                raise ConnectionError("down")
            return await super().heads(tenants)

    feed = Flaky(rig.store)
    sut = hub_module.FeedHub(feed)
    head = await rig.announce(event())

    with pytest.raises(ConnectionError):
        await _join(sut, Subscriber(rig.people["member"], limit=10))
    failed_with = sut.subscribers
    feed.down = False

    assert failed_with == 0
    assert await _join(sut, Subscriber(rig.people["member"], limit=10)) == head
