"""The guards security.md R5.4 asks of a socket beyond the protocol: a client that floods the
socket, a member with too many sockets, an oversized message however it arrives, and a session
confirmed again on a schedule even when no notice comes."""

from __future__ import annotations

import pytest

from adapters.fakes.feed import notices_of
from application.feed.hub import FeedHub
from application.feed.messages import FeedLimits
from tests.factories.feed import LIMITS, TIMEOUT, FeedRig, event

pytestmark = pytest.mark.unit


async def test_a_client_that_floods_the_socket_is_closed_1008(rig: FeedRig) -> None:
    limits = FeedLimits(auth_seconds=TIMEOUT, messages_per_minute=5)
    socket = await rig.connect("member", limits=limits)

    for _ in range(6):
        socket.say({"type": "ping"})

    assert await socket.closed_with() == 1008


async def test_a_client_within_its_message_budget_keeps_its_socket(rig: FeedRig) -> None:
    limits = FeedLimits(auth_seconds=TIMEOUT, messages_per_minute=5)
    socket = await rig.connect("member", limits=limits)

    for _ in range(5):  # the first message (the auth) is not counted: it has its own limit
        socket.say({"type": "ping"})

    assert [await socket.message() for _ in range(5)] == [{"type": "pong"}] * 5


async def test_a_member_holds_at_most_so_many_sockets_in_one_process(rig: FeedRig) -> None:
    rig.hub = FeedHub(rig.tenant_feed, per_member=2)
    notices_of(rig.store).listeners.append(rig.hub.notice)
    kept = [await rig.connect("member"), await rig.connect("member")]
    refused = rig.open()
    refused.auth(rig.token("member"))

    assert await refused.closed_with() == 1008
    other = await rig.connect("colleague")  # someone else's sockets are theirs
    head = await rig.announce(event())
    for socket in (*kept, other):
        assert (await socket.message())["seq"] == head


async def test_an_oversized_message_closes_1009_whatever_the_server_in_front(
    rig: FeedRig,
) -> None:
    socket = await rig.connect("member")

    socket.say('{"type": "ping", "pad": "' + "x" * 70_000 + '"}')

    assert await socket.closed_with() == 1009


async def test_a_session_ended_without_a_notice_is_found_by_the_periodic_check(
    rig: FeedRig,
) -> None:
    member = rig.people["member"]
    limits = FeedLimits(auth_seconds=TIMEOUT, recheck_seconds=0.05, queue=LIMITS.queue)
    socket = await rig.connect("member", limits=limits)

    await rig.log_out(member)  # no session notice: as if the listener had missed it

    assert await socket.closed_with() == 4401
