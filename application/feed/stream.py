"""One feed socket, from its first message to its close: the protocol of ``docs/feed.md``.

The client authenticates in its first message (never in the URL), the server answers
``ready``, replays what the client missed from the outbox, then relays live events from the
hub. Events are offered to the socket by the hub from the moment it joins, before the replay
reads the outbox, so nothing committed in between is missed; what both hand over is sent once,
in ``seq`` order. The socket closes 4401 when the session ends, 4408 when the client cannot
keep up, 4400 on a message the protocol does not know.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

import msgspec

from application.feed.hub import SESSION_ENDED, SLOW_CONSUMER, FeedHub, Subscriber
from application.feed.ports import MemberFeed
from application.identity.confirm_session import ConfirmSession
from application.identity.ports import AccessTokenVerifier
from application.shared.actor import Actor
from application.shared.ports import Clock
from domain.feed.events import PublishedEvent
from domain.identity.errors import InvalidAccessToken, SessionEnded
from domain.shared.errors import DomainError

BAD_MESSAGE = 4400
GOING_AWAY = 1001


class Disconnected(Exception):
    """The client went away."""


class FeedSocket(Protocol):
    async def receive(self) -> str | bytes:
        """The next message; raises ``Disconnected`` once the client has gone."""
        ...

    async def send(self, text: str) -> None: ...

    async def close(self, code: int) -> None: ...


class FeedLimits(msgspec.Struct, frozen=True, kw_only=True):
    auth_seconds: float = 10.0  # the first message must come within this
    queue: int = 1000  # events held for a socket; past this it reads from the outbox instead
    # A client that takes no message, or stays behind the outbox, this long is closed (4408).
    stall_seconds: float = 10.0
    replay_batch: int = 500


class _Auth(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="auth"):
    access_token: str
    after: int | None = None


class _Ping(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, tag="ping"):
    pass


_decode = msgspec.json.Decoder(_Auth | _Ping, strict=True).decode
_encode = msgspec.json.Encoder().encode


def _parse(raw: str | bytes) -> _Auth | _Ping | None:
    """A message of the protocol, or None: the protocol is JSON in text frames only."""
    if not isinstance(raw, str):
        return None
    try:
        message: _Auth | _Ping = _decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return message


def event_message(event: PublishedEvent) -> str:
    at = event.at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    message: dict[str, Any] = {
        "type": "event",
        "seq": event.seq,
        "kind": event.kind,
        "at": at,
        "data": event.data,
    }
    return _encode(message).decode()


def _message(kind: Literal["ready", "resync", "pong"], **fields: Any) -> str:
    return _encode({"type": kind, **fields}).decode()


class _Closed(Exception):
    def __init__(self, code: int) -> None:
        self.code = code


class FeedStream:
    def __init__(
        self,
        *,
        socket: FeedSocket,
        hub: FeedHub,
        feed: MemberFeed,
        verifier: AccessTokenVerifier,
        confirm: ConfirmSession,
        clock: Clock,
        limits: FeedLimits,
    ) -> None:
        self._socket, self._hub, self._feed = socket, hub, feed
        self._verifier, self._confirm, self._clock = verifier, confirm, clock
        self._limits = limits
        self._expires: datetime | None = None

    async def run(self) -> None:
        try:
            auth = await self._first_message()
            actor = await self._authenticate(auth.access_token)
        except _Closed as closed:
            await self._close(closed.code)
            return
        except DomainError:  # the session could not be confirmed: the client tries again
            await self._close(GOING_AWAY)
            return
        subscriber = Subscriber(actor, self._limits.queue)
        try:
            await self._hub.join(subscriber)
            await self._serve(subscriber, auth.after)
        except _Closed as closed:
            await self._close(closed.code)
        except Disconnected:
            pass
        except DomainError:  # the database went away under us: the client resumes with after
            await self._close(GOING_AWAY)
        finally:
            self._hub.leave(subscriber)

    async def _first_message(self) -> _Auth:
        try:
            raw = await asyncio.wait_for(self._socket.receive(), self._limits.auth_seconds)
        except (TimeoutError, Disconnected):
            raise _Closed(SESSION_ENDED) from None
        message = _parse(raw)
        if not isinstance(message, _Auth) or (message.after is not None and message.after < 0):
            raise _Closed(SESSION_ENDED)
        return message

    async def _authenticate(self, token: str, *, as_: Actor | None = None) -> Actor:
        try:
            claimed = self._verifier.verify(token)
            expires = self._verifier.expires_at(token)
            actor = await self._confirm.execute(claimed, fresh=True)
        except (InvalidAccessToken, SessionEnded):
            raise _Closed(SESSION_ENDED) from None
        if as_ is not None and (actor.tenant_id, actor.user_id) != (as_.tenant_id, as_.user_id):
            raise _Closed(BAD_MESSAGE)  # a socket belongs to one member of one tenant
        self._expires = expires
        return actor

    async def _serve(self, subscriber: Subscriber, after: int | None) -> None:
        position = await self._feed.position(subscriber.actor)
        await self._send(_message("ready", seq=position.latest))
        cursor = position.latest
        if after is not None:
            if position.floor <= after <= position.head:
                cursor = after
            else:
                await self._send(_message("resync"))
        last = await self._replay(subscriber.actor, cursor)
        receiving = asyncio.get_running_loop().create_task(self._receive(subscriber))
        try:
            await self._relay(subscriber, last, receiving)
        finally:
            receiving.cancel()
            with contextlib.suppress(BaseException):
                await receiving

    async def _replay(self, actor: Actor, cursor: int) -> int:
        batch = self._limits.replay_batch
        while True:
            events = await self._feed.after(actor, cursor, batch)
            for event in events:
                await self._send(event_message(event))
            if events:
                cursor = events[-1].seq
            if len(events) < batch:
                return cursor

    async def _relay(
        self, subscriber: Subscriber, last: int, receiving: asyncio.Task[None]
    ) -> None:
        behind_since: float | None = None
        while True:
            events = await self._next(subscriber, receiving)
            if subscriber.closing is not None:
                raise _Closed(subscriber.closing)
            if subscriber.recheck:  # first: whatever is sent next goes to the member as now
                subscriber.recheck = False
                await self._recheck(subscriber)
            if subscriber.behind:  # its queue overflowed: what it lost is in the outbox
                subscriber.behind = False
                now = asyncio.get_running_loop().time()
                behind_since = now if behind_since is None else behind_since
                if now - behind_since > self._limits.stall_seconds:
                    raise _Closed(SLOW_CONSUMER)  # behind all along: it cannot keep up
                last = await self._replay(subscriber.actor, last)
                continue  # what was queued since is newer, or already sent: seq decides
            behind_since = None
            while subscriber.pongs:
                subscriber.pongs -= 1
                await self._send(_message("pong"))
            # Queued under the role the socket had when they were offered: a member just
            # demoted must not be sent what is now for owners and admins only.
            actor = subscriber.actor
            for event in events:
                if event.seq > last and event.visible_to(actor.user_id, actor.role):
                    await self._send(event_message(event))
                    last = event.seq

    async def _next(
        self, subscriber: Subscriber, receiving: asyncio.Task[None]
    ) -> list[PublishedEvent]:
        """The subscriber's next events, waking at the token's expiry to close the socket."""
        waiting = asyncio.get_running_loop().create_task(subscriber.wait())
        try:
            timeout = None
            if self._expires is not None:
                timeout = max(0.0, (self._expires - self._clock.now()).total_seconds())
            done, _ = await asyncio.wait(
                {waiting, receiving}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if receiving in done:
                receiving.result()  # the client went away, or broke the protocol: raises
            if waiting not in done:
                if self._expires is not None and self._clock.now() >= self._expires:
                    raise _Closed(SESSION_ENDED)
                return []
            return waiting.result()
        finally:
            waiting.cancel()

    async def _recheck(self, subscriber: Subscriber) -> None:
        try:
            subscriber.actor = await self._confirm.execute(subscriber.actor, fresh=True)
        except SessionEnded:
            raise _Closed(SESSION_ENDED) from None

    async def _receive(self, subscriber: Subscriber) -> None:
        while True:
            message = _parse(await self._socket.receive())
            if message is None:
                raise _Closed(BAD_MESSAGE)
            if isinstance(message, _Ping):
                subscriber.pong()
            else:  # a fresh token before the old one expires keeps the socket open
                subscriber.actor = await self._authenticate(
                    message.access_token, as_=subscriber.actor
                )

    async def _send(self, text: str) -> None:
        """A client that stops reading fills its socket's buffers, and then this waits: past
        ``stall_seconds`` it is a slow consumer, closed to resume later with ``after``."""
        try:
            async with asyncio.timeout(self._limits.stall_seconds):
                await self._socket.send(text)
        except TimeoutError:
            raise _Closed(SLOW_CONSUMER) from None

    async def _close(self, code: int) -> None:
        with contextlib.suppress(Exception):
            await self._socket.close(code)
