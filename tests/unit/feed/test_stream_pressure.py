"""The feed under pressure, end to end on fakes: a burst past a socket's queue is read from the
outbox (none lost, none twice), while a client that stops reading, or stays behind, is closed
4408; what the member may no longer see or hear stays out of the outbox read too."""

from __future__ import annotations

import pytest

from application.feed.messages import FeedLimits
from domain.identity.model import Role
from tests.factories.feed import FeedRig, MeddlingFeed, alert, event, seqs

pytestmark = pytest.mark.unit

SMALL_QUEUE = FeedLimits(auth_seconds=5, queue=2, stall_seconds=5, replay_batch=3)


async def test_a_client_that_stops_reading_is_closed_as_a_slow_consumer(rig: FeedRig) -> None:
    limits = FeedLimits(auth_seconds=5, queue=100, stall_seconds=0.05, replay_batch=10)
    socket = await rig.connect("member", limits=limits)

    socket.flowing.clear()
    await rig.announce(event(n=1))

    assert await socket.closed_with() == 4408
    assert seqs(socket.sent) == []


async def test_a_live_burst_past_the_queue_arrives_whole_in_order(rig: FeedRig) -> None:
    socket = await rig.connect("member", limits=SMALL_QUEUE)

    await rig.announce(*(event(n=n) for n in range(1, 8)))
    marker = await rig.announce(event(n=8))

    assert seqs(await socket.until(marker)) == list(range(1, 9))


async def test_a_burst_past_the_queue_during_the_replay_arrives_whole_in_order(
    rig: FeedRig,
) -> None:
    await rig.announce(event(n=1))

    async def commit_more_than_the_queue_holds() -> None:
        await rig.tenant_feed.reached(await rig.announce(*(event(n=n) for n in range(2, 7))))

    socket = await rig.connect(
        "member",
        after=0,
        limits=SMALL_QUEUE,
        feed=MeddlingFeed(rig.store, on_after=commit_more_than_the_queue_holds),
    )
    marker = await rig.announce(event(n=7))

    assert seqs(await socket.until(marker)) == list(range(1, 8))


async def test_a_client_behind_all_along_is_closed_as_a_slow_consumer(rig: FeedRig) -> None:
    bursts = 50  # then it would catch up: a socket that never closes fails the test

    async def another_burst() -> None:  # more than the queue holds, before every outbox read
        nonlocal bursts
        if bursts:
            bursts -= 1
            await rig.tenant_feed.reached(await rig.announce(event(), event(), event()))

    # Behind for any time at all is too long here; the memory socket's sends never wait.
    limits = FeedLimits(auth_seconds=5, queue=2, stall_seconds=1e-6, replay_batch=100)
    socket = await rig.connect(
        "member", limits=limits, feed=MeddlingFeed(rig.store, on_after=another_burst, repeat=True)
    )

    assert await socket.closed_with() == 4408
    assert bursts > 0
    assert seqs(socket.sent) == list(range(1, len(seqs(socket.sent)) + 1))  # none lost, in order


async def test_a_member_logged_out_during_a_burst_is_sent_nothing_more(rig: FeedRig) -> None:
    member = rig.people["member"]
    socket = await rig.connect("member", limits=SMALL_QUEUE)

    await rig.log_out(member)
    rig.hub.session_notice(member.tenant_id, member.user_id)
    await rig.announce(*(event(n=n) for n in range(5)))

    assert await socket.closed_with() == 4401
    assert seqs(socket.sent) == []


async def test_an_admin_demoted_during_a_burst_is_not_sent_admin_events(rig: FeedRig) -> None:
    admin = rig.people["admin"]
    socket = await rig.connect("admin", limits=SMALL_QUEUE)

    await rig.set_role(admin, Role.MEMBER)
    rig.hub.session_notice(admin.tenant_id, admin.user_id)
    await rig.announce(alert(n=1), alert(n=2), alert(n=3), event(n=4))
    marker = await rig.announce(event(n=5))

    assert [m["data"] for m in await socket.until(marker)] == [{"n": 4}, {"n": 5}]
