"""The feed protocol's gate, end to end on fakes: authentication in the first message, what the
client may say afterwards, and the socket's end with the member's session."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from adapters.fakes.access_tokens import FakeAccessTokens
from application.feed.messages import FeedLimits
from domain.identity.model import Role
from domain.shared.errors import StorageError
from tests.factories.feed import FeedRig, MemorySocket, alert, event, seqs

pytestmark = pytest.mark.unit


async def _refused(socket: MemorySocket) -> tuple[int | None, list[dict[str, Any]]]:
    return await socket.closed_with(), socket.sent


async def test_no_first_message_in_time_closes_4401_and_sends_nothing(rig: FeedRig) -> None:
    socket = rig.open(limits=FeedLimits(auth_seconds=0.05))

    assert await _refused(socket) == (4401, [])


@pytest.mark.parametrize(
    "first",
    [
        {"type": "auth", "access_token": "not-a-token", "after": None},
        {"type": "auth", "after": None},
        {"type": "auth", "access_token": 42},
        {"type": "ping"},
        {"type": "hello"},
        "not json",
        b"\x00\x01",
    ],
)
async def test_a_first_message_that_is_not_a_valid_auth_closes_4401(
    rig: FeedRig, first: dict[str, Any] | str | bytes
) -> None:
    socket = rig.open()

    socket.say(first)

    assert await _refused(socket) == (4401, [])


async def test_an_auth_in_a_binary_frame_closes_4401(rig: FeedRig) -> None:
    socket = rig.open()

    socket.say(f'{{"type": "auth", "access_token": "{rig.token("member")}"}}'.encode())

    assert await _refused(socket) == (4401, [])


@pytest.mark.parametrize("after", [-1, "3", True])
async def test_an_auth_with_a_bad_after_closes_4401(rig: FeedRig, after: object) -> None:
    socket = rig.open()

    socket.say({"type": "auth", "access_token": rig.token("member"), "after": after})

    assert await _refused(socket) == (4401, [])


async def test_an_expired_token_closes_4401(rig: FeedRig) -> None:
    token = rig.token("member")
    rig.clock.advance(timedelta(minutes=10))
    socket = rig.open()

    socket.auth(token)

    assert await _refused(socket) == (4401, [])


async def test_a_token_of_an_ended_session_closes_4401(rig: FeedRig) -> None:
    token = rig.token("member")
    await rig.log_out(rig.people["member"])
    socket = rig.open()

    socket.auth(token)

    assert await _refused(socket) == (4401, [])


async def test_a_client_gone_before_authenticating_is_closed_quietly(rig: FeedRig) -> None:
    socket = rig.open()

    socket.inbox.put_nowait(None)

    assert await _refused(socket) == (4401, [])


async def test_a_ping_is_answered_with_a_pong(rig: FeedRig) -> None:
    socket = await rig.connect("member")

    socket.say({"type": "ping"})
    socket.say({"type": "ping"})

    assert await socket.messages(2) == [{"type": "pong"}, {"type": "pong"}]


@pytest.mark.parametrize(
    "said",
    [
        {"type": "subscribe"},
        {"type": "ping", "extra": 1},
        {"type": "auth", "access_token": "x", "after": None, "scope": "all"},
        {"access_token": "x"},
        "[]",
        "{not json",
        b"\xff\xfe",
        b'{"type": "ping"}',  # the protocol is JSON in text frames
    ],
)
async def test_any_other_message_after_auth_closes_4400(
    rig: FeedRig, said: dict[str, Any] | str | bytes
) -> None:
    socket = await rig.connect("member")

    socket.say(said)

    assert await socket.closed_with() == 4400
    assert [m["type"] for m in socket.sent] == ["ready"]


async def test_an_auth_as_someone_else_closes_4400(rig: FeedRig) -> None:
    socket = await rig.connect("member")

    socket.auth(rig.token("colleague"))

    assert await socket.closed_with() == 4400


async def test_the_access_tokens_expiry_closes_4401(rig: FeedRig) -> None:
    rig.tokens = FakeAccessTokens(rig.clock, lifetime=timedelta(milliseconds=50))
    socket = await rig.connect("member")

    rig.clock.advance(timedelta(seconds=1))  # the socket's own timer finds it past expiry

    assert await socket.closed_with() == 4401


async def test_a_fresh_auth_keeps_the_socket_and_moves_its_expiry(rig: FeedRig) -> None:
    socket = await rig.connect("member")  # expires in 10 minutes
    rig.clock.advance(timedelta(minutes=5))

    socket.auth(rig.token("member"))  # expires in 15
    rig.clock.advance(timedelta(minutes=7))
    socket.say({"type": "ping"})
    answered = await socket.message()
    head = await rig.announce(event(n=1))
    delivered = await socket.message()
    rig.clock.advance(timedelta(minutes=4))
    socket.say({"type": "ping"})
    ended = await socket.closed_with()

    assert answered == {"type": "pong"}
    assert (delivered["seq"], delivered["data"]) == (head, {"n": 1})
    assert ended == 4401


async def test_without_a_fresh_auth_the_socket_ends_with_its_token(rig: FeedRig) -> None:
    socket = await rig.connect("member")

    rig.clock.advance(timedelta(minutes=10))
    socket.say({"type": "ping"})  # wakes the socket; the timer would, in real time

    assert await socket.closed_with() == 4401
    assert [m["type"] for m in socket.sent] in (["ready"], ["ready", "pong"])


async def test_an_expired_fresh_auth_closes_4401(rig: FeedRig) -> None:
    stale = rig.token("member")
    rig.clock.advance(timedelta(minutes=5))
    socket = await rig.connect("member")
    rig.clock.advance(timedelta(minutes=6))  # the socket's token is still good, not this one

    socket.auth(stale)

    assert await socket.closed_with() == 4401


async def test_a_session_notice_after_logout_closes_4401(rig: FeedRig) -> None:
    member = rig.people["member"]
    socket = await rig.connect("member")
    colleague = await rig.connect("colleague")

    await rig.log_out(member)
    rig.hub.session_notice(member.tenant_id, member.user_id)
    marker = await rig.announce(event())

    assert await socket.closed_with() == 4401
    assert seqs(socket.sent) == []
    assert (await colleague.message())["seq"] == marker


async def test_a_session_notice_without_change_keeps_the_socket(rig: FeedRig) -> None:
    member = rig.people["member"]
    socket = await rig.connect("member")

    rig.hub.session_notice(member.tenant_id, member.user_id)
    head = await rig.announce(event(n=1))

    assert (await socket.message())["seq"] == head


async def test_a_member_demoted_from_admin_stops_hearing_admin_events(rig: FeedRig) -> None:
    admin = rig.people["admin"]
    socket = await rig.connect("admin")

    await rig.set_role(admin, Role.MEMBER)
    rig.hub.session_notice(admin.tenant_id, admin.user_id)
    await rig.announce(alert(n=1), event(n=2))
    marker = await rig.announce(alert(n=3), event(n=4))

    assert [m["data"] for m in await socket.until(marker)] == [{"n": 2}, {"n": 4}]


class _StorageDown:
    def __init__(self, *_: object) -> None:
        pass

    async def __aenter__(self) -> None:
        raise StorageError()

    async def __aexit__(self, *_: object) -> None:
        return None


async def test_storage_failing_during_authentication_closes_1001_to_retry(
    rig: FeedRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = rig.token("member")
    monkeypatch.setattr(rig, "uow", _StorageDown)
    socket = rig.open()

    socket.auth(token)

    assert await _refused(socket) == (1001, [])


async def test_storage_failing_when_the_hub_joins_closes_1001_to_retry(
    rig: FeedRig, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def down(*_: object) -> dict[object, int]:
        raise StorageError()

    monkeypatch.setattr(rig.tenant_feed, "heads", down)
    socket = rig.open()

    socket.auth(rig.token("member"))

    assert await _refused(socket) == (1001, [])
    assert rig.hub.subscribers == 0
