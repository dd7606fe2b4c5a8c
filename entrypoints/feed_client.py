"""A client of the realtime feed (``GET /api/v1/feed``) that follows one member's events.

It speaks the protocol of issue 11: the access token travels in the first message (never the
URL), the last ``seq`` received is kept, and a socket that drops or that the server closes for
a reason worth retrying (going away, abnormal closure, an internal error, a restart, a slow
consumer) is opened again with backoff, resuming with ``after``. Before the access token
expires it is refreshed over HTTP and a fresh ``auth`` is sent on the open socket, so the server
never has to end it. A close with 4401 means the session is over: the client stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import ssl
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import msgspec
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

FEED_PATH = "/api/v1/feed"
SESSION_ENDED = 4401
# Closes after which the same session may simply come back: going away (a server stopping),
# abnormal closure (no close frame: the network or the process died), an internal error, a
# restart or an overload (uvicorn's own codes), and a slow consumer (4408, resume with after).
RESUMABLE = frozenset({1001, 1006, 1011, 1012, 1013, 4408})
_RENEW_AT = 0.8  # of the token's lifetime: room to retry a failed refresh before it expires
_EXPIRY_SLACK = 5.0  # seconds (or a tenth of the lifetime): a 4401 this close to expiry is the
# expiry (our refreshes failed meanwhile), not a sign-out

# What a close the client cannot fix by reconnecting says (docs/feed.md).
_FINAL = {
    4400: "the server did not understand a message (4400): this client is out of date",
    1008: "the server refused this client (1008): too many messages, or too many sockets "
    "of this member on one API process",
    1009: "the server refused a message over 64 KiB (1009)",
}

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder(dict[str, Any]).decode


class FeedStopped(Exception):
    """The feed cannot go on; the message says why, for a person to read."""


class TryAgain(Exception):
    """A failure that may pass (the network, an overloaded server): retry after a pause."""


class TokenSource(Protocol):
    """Access tokens for one session: the HTTP sign-in of ``feed_session`` or a test's fake."""

    def access_token(self) -> str: ...

    def expires_at(self) -> float:
        """When the access token expires, on the event loop's clock."""
        ...

    def lifetime(self) -> float: ...

    async def refresh(self) -> None:
        """Raises ``FeedStopped`` when the session is over, ``TryAgain`` when it may pass."""
        ...


class Backoff:
    """Doubling pauses with jitter, so a thousand clients of a restarted server spread out."""

    def __init__(self, first: float = 0.5, most: float = 30.0) -> None:
        self._first, self._most, self._next = first, most, first
        self._jitter = random.SystemRandom()

    def pause(self) -> float:
        pause = self._next * self._jitter.uniform(0.5, 1.0)
        self._next = min(self._next * 2, self._most)
        return pause

    def reset(self) -> None:
        self._next = self._first


def feed_url(base_url: str) -> str:
    """``https://host:port`` becomes ``wss://host:port/api/v1/feed`` (``http``: ``ws``)."""
    parts = urlsplit(base_url)
    scheme = {"https": "wss", "http": "ws"}.get(parts.scheme)
    if scheme is None or not parts.netloc:
        raise FeedStopped(f"{base_url} is not an http(s) URL of Atlas")
    return urlunsplit((scheme, parts.netloc, FEED_PATH, "", ""))


def close_code(closed: ConnectionClosed) -> int:
    return closed.rcvd.code if closed.rcvd is not None else 1006


Receive = Callable[[dict[str, Any]], None]
Notice = Callable[[str], None]


class FeedClient:
    """Follows the feed until stopped; ``on_message`` gets every ``ready``, ``event`` and
    ``resync`` in the order received, ``on_notice`` a sentence for each change of state."""

    def __init__(
        self,
        url: str,
        tokens: TokenSource,
        *,
        on_message: Receive,
        on_notice: Notice,
        after: int | None = None,
        tls: ssl.SSLContext | None = None,
        backoff: Backoff | None = None,
    ) -> None:
        self._url, self._tokens, self._tls = url, tokens, tls
        self._on_message, self._on_notice = on_message, on_notice
        self._backoff = backoff or Backoff()
        self.last_seq = after  # the newest event received: where a new socket resumes

    async def run(self) -> None:
        """Follow the feed until cancelled; raises ``FeedStopped`` when it cannot go on."""
        while True:
            try:
                await self._ensure_token()
                async with connect(
                    self._url, ssl=self._tls, compression=None, open_timeout=15
                ) as socket:
                    await self._follow(socket)
            except ConnectionClosed as closed:
                code = close_code(closed)
                if code == SESSION_ENDED and not self._near_expiry():
                    raise FeedStopped(
                        "the server ended the feed (4401): the session is over (signed out, "
                        "removed from the tenant, or the token was refused); sign in again"
                    ) from None
                if code not in RESUMABLE and code != SESSION_ENDED:
                    final = _FINAL.get(code, f"the server closed the feed with code {code}")
                    raise FeedStopped(final) from None
                self._on_notice(f"the feed closed ({code}); resuming after #{self.last_seq}")
            except InvalidStatus as refused:
                status = refused.response.status_code
                if status < 500:
                    raise FeedStopped(f"the server refused the feed: HTTP {status}") from None
                self._on_notice(f"the server is not ready (HTTP {status})")
            except (OSError, TimeoutError, InvalidHandshake, TryAgain) as failure:
                self._on_notice(f"cannot reach the feed ({type(failure).__name__})")
            await asyncio.sleep(self._backoff.pause())

    async def _ensure_token(self) -> None:
        if self._near_expiry():
            await self._tokens.refresh()

    def _near_expiry(self) -> bool:
        left = self._tokens.expires_at() - asyncio.get_running_loop().time()
        return left <= min(_EXPIRY_SLACK, self._tokens.lifetime() / 10)

    async def _follow(self, socket: ClientConnection) -> None:
        await socket.send(self._auth(with_after=True))
        loop = asyncio.get_running_loop()
        receiving = loop.create_task(self._receive(socket))
        renewing = loop.create_task(self._renew(socket))
        try:
            done, _ = await asyncio.wait({receiving, renewing}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a close, or the end of the session: raises
        finally:
            for task in (receiving, renewing):
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task

    def _auth(self, *, with_after: bool) -> str:
        message: dict[str, Any] = {"type": "auth", "access_token": self._tokens.access_token()}
        if with_after:
            message["after"] = self.last_seq
        return _encode(message).decode()

    async def _receive(self, socket: ClientConnection) -> None:
        ready: int | None = None
        while True:
            raw = await socket.recv()
            try:
                message = _decode(raw)
            except msgspec.DecodeError:
                raise FeedStopped("the server sent something that is not the feed") from None
            kind = message.get("type")
            if kind == "ready":
                ready = int(message["seq"])
                if self.last_seq is None:
                    self.last_seq = ready
                self._backoff.reset()
            elif kind == "resync":
                # What we missed is gone from the server: the caller reloads over HTTP, and
                # this socket goes on from the member's newest event.
                self._on_notice(f"resync: events after #{self.last_seq} are no longer kept")
                self.last_seq = ready
            elif kind == "event":
                seq = int(message["seq"])
                if self.last_seq is not None and seq <= self.last_seq:
                    self._on_notice(f"ignored #{seq}: already received")
                    continue
                self.last_seq = seq
            else:
                continue  # pong, or a type a newer server added
            self._on_message(message)

    async def _renew(self, socket: ClientConnection) -> None:
        """Refresh the access token at 80% of its life and authenticate the open socket again;
        a failed refresh is retried until the token expires (then the server closes 4401)."""
        loop = asyncio.get_running_loop()
        while True:
            lifetime = self._tokens.lifetime()
            renew_at = self._tokens.expires_at() - lifetime * (1 - _RENEW_AT)
            await asyncio.sleep(max(0.0, renew_at - loop.time()))
            try:
                await self._tokens.refresh()
            except TryAgain:
                await asyncio.sleep(min(5.0, max(0.1, lifetime / 50)))
                continue
            await socket.send(self._auth(with_after=False))
