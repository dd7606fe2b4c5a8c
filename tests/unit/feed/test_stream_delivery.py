"""The feed protocol after ``auth``, end to end on fakes: ready, replay, live, resync, none lost,
none twice, and only what the member may see."""

from __future__ import annotations

import re

import pytest

from domain.feed.events import EventKind, FeedEvent
from tests.factories.feed import FeedRig, MeddlingFeed, alert, event, private, seqs

pytestmark = pytest.mark.unit

RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


async def test_ready_tells_the_latest_event_the_member_may_see(rig: FeedRig) -> None:
    await rig.announce(event(), private(rig.people["member"]), alert(), event(), alert())
    socket = rig.open()

    socket.auth(rig.token("member"))

    assert await socket.message() == {"type": "ready", "seq": 4}


async def test_an_event_is_sent_with_its_number_kind_time_and_data(rig: FeedRig) -> None:
    socket = await rig.connect("member")

    head = await rig.announce(FeedEvent.graph_changed(3, {"deal"}, None))
    message = await socket.message()

    assert set(message) == {"type", "seq", "kind", "at", "data"}
    assert (message["type"], message["seq"], message["kind"]) == ("event", head, "graph.changed")
    assert message["data"] == {"revision": 3, "object_types": ["deal"]}
    assert RFC3339_Z.match(message["at"])


async def test_after_replays_every_later_event_in_order_then_live_ones(rig: FeedRig) -> None:
    await rig.announce(*(event(n=n) for n in range(1, 9)))  # more than one replay batch

    socket = await rig.connect("member", after=2)
    live = await rig.announce(event(n=9), event(n=10))
    got = await socket.until(live)

    assert seqs(got) == list(range(3, 11))
    assert [m["data"] for m in got] == [{"n": n} for n in range(3, 11)]


async def test_after_null_sends_only_what_is_committed_after_ready(rig: FeedRig) -> None:
    await rig.announce(event(n=1), event(n=2))
    socket = await rig.connect("member")

    live = await rig.announce(event(n=3))

    assert seqs(await socket.until(live)) == [3]


@pytest.mark.parametrize("after", [None, 1])
async def test_an_event_committed_before_the_replay_answers_is_sent_once(
    rig: FeedRig, after: int | None
) -> None:
    await rig.announce(event(n=1), event(n=2))

    async def commit_and_let_the_hub_offer_it() -> None:
        head = await rig.announce(event(n=3))
        await rig.tenant_feed.reached(head)  # the socket's queue holds it too

    socket = await rig.connect(
        "member",
        after=after,
        feed=MeddlingFeed(rig.store, on_after=commit_and_let_the_hub_offer_it),
    )
    marker = await rig.announce(event(n=4))
    got = await socket.until(marker)

    assert seqs(got) == ([2, 3, 4] if after == 1 else [3, 4])


async def test_an_event_committed_between_ready_and_the_replay_is_sent_once(rig: FeedRig) -> None:
    await rig.announce(event(n=1))

    async def commit_after_position() -> None:
        await rig.tenant_feed.reached(await rig.announce(event(n=2)))

    socket = rig.open(feed=MeddlingFeed(rig.store, on_position=commit_after_position))
    socket.auth(rig.token("member"), after=0)
    ready = await socket.message()
    marker = await rig.announce(event(n=3))
    got = await socket.until(marker)

    assert ready == {"type": "ready", "seq": 1}
    assert seqs(got) == [1, 2, 3]


async def test_after_older_than_what_is_kept_asks_for_a_resync(rig: FeedRig) -> None:
    await rig.announce(*(event(n=n) for n in range(1, 6)))
    rig.tenant_feed.prune(rig.people["member"].tenant_id, through=3)
    socket = rig.open()

    socket.auth(rig.token("member"), after=2)
    answer = await socket.messages(2)
    live = await rig.announce(event(n=6))

    assert answer == [{"type": "ready", "seq": 5}, {"type": "resync"}]
    assert seqs(await socket.until(live)) == [6]


async def test_after_at_the_floor_is_still_replayed(rig: FeedRig) -> None:
    await rig.announce(*(event(n=n) for n in range(1, 6)))
    rig.tenant_feed.prune(rig.people["member"].tenant_id, through=3)

    socket = await rig.connect("member", after=3)
    marker = await rig.announce(event(n=6))

    assert seqs(await socket.until(marker)) == [4, 5, 6]


async def test_after_beyond_the_head_asks_for_a_resync(rig: FeedRig) -> None:
    await rig.announce(event(n=1), event(n=2))
    socket = rig.open()

    socket.auth(rig.token("member"), after=7)

    assert await socket.messages(2) == [{"type": "ready", "seq": 2}, {"type": "resync"}]


async def test_a_colleagues_private_events_and_admin_alerts_never_reach_a_member(
    rig: FeedRig,
) -> None:
    member, colleague = rig.people["member"], rig.people["colleague"]
    await rig.announce(private(colleague, n=1), alert(n=2), private(member, n=3))
    socket = await rig.connect("member", after=0)
    admin = await rig.connect("admin", after=0)

    await rig.announce(alert(n=4), private(colleague, n=5), event(n=6))
    marker = await rig.announce(private(member, n=7))
    got = await socket.until(marker)

    assert [m["data"] for m in got] == [{"n": 3}, {"n": 6}, {"n": 7}]
    assert [m["data"] for m in await admin.until(marker - 1)] == [{"n": 2}, {"n": 4}, {"n": 6}]


async def test_the_owner_hears_security_alerts(rig: FeedRig) -> None:
    socket = await rig.connect("owner")

    head = await rig.announce(alert(alert="sign_in"))

    assert (await socket.message())["kind"] == EventKind.SECURITY_ALERT.value
    assert seqs(socket.sent) == [head]


async def test_a_socket_hears_nothing_of_another_tenant(rig: FeedRig) -> None:
    other = FeedRig(store=rig.store)
    await other.seed()
    socket = await rig.connect("owner")

    await other.announce(event(n=1), alert(n=2))
    marker = await rig.announce(event(n=3))

    assert [m["data"] for m in await socket.until(marker)] == [{"n": 3}]
