"""The feed client against a scripted in-process WebSocket server: where it resumes after each
kind of close, what it does on resync, how it renews its token on the open socket, and when
it gives up."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from entrypoints.feed_client import Backoff, FeedClient, FeedStopped, feed_url

pytestmark = pytest.mark.unit

Script = Callable[[ServerConnection, dict[str, Any]], Awaitable[None]]


class FakeTokens:
    """A session whose refreshes hand out ``token-1``, ``token-2``, ..."""

    def __init__(self, lifetime: float = 600.0) -> None:
        self.issued = ["token-1"]
        self._lifetime = lifetime
        self._expires = asyncio.get_running_loop().time() + lifetime

    def access_token(self) -> str:
        return self.issued[-1]

    def expires_at(self) -> float:
        return self._expires

    def lifetime(self) -> float:
        return self._lifetime

    async def refresh(self) -> None:
        self.issued.append(f"token-{len(self.issued) + 1}")
        self._expires = asyncio.get_running_loop().time() + self._lifetime


class ScriptedFeed:
    """Plays one script per connection, in order, after reading the auth message."""

    def __init__(self, *scripts: Script) -> None:
        self.scripts = list(scripts)
        self.auths: list[dict[str, Any]] = []

    async def handle(self, socket: ServerConnection) -> None:
        auth = json.loads(await socket.recv())
        self.auths.append(auth)
        await self.scripts[len(self.auths) - 1](socket, auth)


@pytest.fixture
async def feed() -> AsyncIterator[Callable[..., Awaitable[tuple[ScriptedFeed, str]]]]:
    servers = []

    async def start(*scripts: Script, **options: Any) -> tuple[ScriptedFeed, str]:
        scripted = ScriptedFeed(*scripts)
        server = await serve(scripted.handle, "127.0.0.1", 0, **options)
        servers.append(server)
        port = next(iter(server.sockets)).getsockname()[1]
        return scripted, feed_url(f"http://127.0.0.1:{port}")

    yield start
    for server in servers:
        server.close()
        await server.wait_closed()


async def _send(socket: ServerConnection, *messages: dict[str, Any]) -> None:
    for message in messages:
        await socket.send(json.dumps(message))


def _event(seq: int) -> dict[str, Any]:
    return {"type": "event", "seq": seq, "kind": "sync.progress", "at": "2026-01-15T09:30:00Z",
            "data": {"n": seq}}  # fmt: skip


async def _follow(url: str, tokens: FakeTokens, **options: Any) -> tuple[list[Any], list[str]]:
    """Run the client until it stops; what it handed over, and why it stopped last."""
    messages: list[dict[str, Any]] = []
    notices: list[str] = []
    sut = FeedClient(url, tokens, on_message=messages.append, on_notice=notices.append,
                     backoff=Backoff(first=0.001, most=0.01), **options)  # fmt: skip
    with pytest.raises(FeedStopped) as stopped:
        await asyncio.wait_for(sut.run(), 30)
    notices.append(str(stopped.value))
    return messages, notices


def _ending_with(code: int) -> Script:
    async def script(socket: ServerConnection, _auth: dict[str, Any]) -> None:
        await _send(socket, {"type": "ready", "seq": 5}, _event(6), _event(7))
        if code == 1006:
            socket.transport.abort()  # no close frame: the network or the server died
        else:
            await socket.close(code)

    return script


async def _session_ended(socket: ServerConnection, _auth: dict[str, Any]) -> None:
    await _send(socket, {"type": "ready", "seq": 9}, _event(8), _event(9))
    await socket.close(4401)


@pytest.mark.parametrize("code", [1001, 1006, 1011, 1012, 4408])
async def test_a_dropped_socket_resumes_after_the_last_event_received(feed: Any, code: int) -> None:
    server, url = await feed(_ending_with(code), _session_ended)

    messages, notices = await _follow(url, FakeTokens())

    assert [a["after"] for a in server.auths] == [None, 7]
    assert [m["seq"] for m in messages if m["type"] == "event"] == [6, 7, 8, 9]
    assert "4401" in notices[-1]


async def test_resume_starts_from_the_after_it_was_given(feed: Any) -> None:
    server, url = await feed(_ending_with(1001), _session_ended)

    await _follow(url, FakeTokens(), after=3)

    assert [a["after"] for a in server.auths] == [3, 7]


async def test_a_resync_moves_the_resume_point_to_the_members_newest_event(feed: Any) -> None:
    async def expired_after(socket: ServerConnection, _auth: dict[str, Any]) -> None:
        await _send(socket, {"type": "ready", "seq": 50}, {"type": "resync"}, _event(51))
        await socket.close(1001)

    server, url = await feed(expired_after, _session_ended)

    messages, notices = await _follow(url, FakeTokens(), after=3)

    assert [a["after"] for a in server.auths] == [3, 51]
    assert [m["type"] for m in messages[:3]] == ["ready", "resync", "event"]
    assert any(n.startswith("resync") for n in notices)


async def test_an_event_already_received_is_not_handed_over_twice(feed: Any) -> None:
    async def repeats(socket: ServerConnection, _auth: dict[str, Any]) -> None:
        await _send(socket, {"type": "ready", "seq": 5}, _event(6), _event(6), _event(7))
        await socket.close(4401)

    _, url = await feed(repeats)

    messages, _ = await _follow(url, FakeTokens())

    assert [m["seq"] for m in messages if m["type"] == "event"] == [6, 7]


async def test_the_token_is_renewed_on_the_open_socket_before_it_expires(feed: Any) -> None:
    renewed: list[dict[str, Any]] = []

    async def waits_for_a_fresh_token(socket: ServerConnection, _auth: dict[str, Any]) -> None:
        await _send(socket, {"type": "ready", "seq": 0})
        renewed.append(json.loads(await socket.recv()))
        await socket.close(4401)

    server, url = await feed(waits_for_a_fresh_token)
    tokens = FakeTokens(lifetime=0.5)  # renewed at 80% of its life

    await _follow(url, tokens)

    assert server.auths[0]["access_token"] == "token-1"
    assert renewed == [{"type": "auth", "access_token": "token-2"}]


@pytest.mark.parametrize("code", [1000, 1008, 1009, 4400])
async def test_a_close_not_worth_retrying_stops_and_says_why(feed: Any, code: int) -> None:
    server, url = await feed(_ending_with(code))

    _, notices = await _follow(url, FakeTokens())

    assert f"{code}" in notices[-1]
    assert len(server.auths) == 1


async def test_a_message_that_is_not_json_stops_with_a_reason(feed: Any) -> None:
    async def garbles(socket: ServerConnection, _auth: dict[str, Any]) -> None:
        await socket.send("<html>not the feed</html>")
        await socket.wait_closed()

    _, url = await feed(garbles)

    _, notices = await _follow(url, FakeTokens())

    assert notices[-1] == "the server sent something that is not the feed"


async def test_a_refused_upgrade_stops_at_once(feed: Any) -> None:
    def refuse(_socket: ServerConnection, _request: Request) -> Response:
        return Response(403, "Forbidden", Headers(), b"")

    server, url = await feed(process_request=refuse)

    _, notices = await _follow(url, FakeTokens())

    assert notices[-1] == "the server refused the feed: HTTP 403"
    assert server.auths == []


def test_the_feed_url_follows_the_api_scheme() -> None:
    assert feed_url("https://atlas.example:8443/") == "wss://atlas.example:8443/api/v1/feed"
    assert feed_url("http://127.0.0.1:8080") == "ws://127.0.0.1:8080/api/v1/feed"
    with pytest.raises(FeedStopped):
        feed_url("ftp://atlas.example")
