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
from collections import deque
from datetime import datetime

from application.feed.hub import (
    SESSION_ENDED,
    SLOW_CONSUMER,
    FeedHub,
    Subscriber,
    TooManySockets,
)
from application.feed.messages import (
    BAD_MESSAGE,
    GOING_AWAY,
    MAX_MESSAGE_BYTES,
    MESSAGE_TOO_BIG,
    POLICY_VIOLATION,
    Auth,
    Disconnected,
    FeedLimits,
    FeedSocket,
    Ping,
    event_message,
    parse,
    reply,
)
from application.feed.ports import MemberFeed
from application.identity.confirm_session import ConfirmSession
from application.identity.ports import AccessTokenVerifier
from application.shared.actor import Actor
from application.shared.ports import Clock
from domain.feed.events import PublishedEvent
from domain.identity.errors import InvalidAccessToken, SessionEnded, WrongRegion
from domain.shared.errors import DomainError


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
        self._received: deque[float] = deque()  # when the client's recent messages came

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
        subscriber.checked_at = asyncio.get_running_loop().time()  # confirmed just now
        try:
            await self._hub.join(subscriber)
            await self._serve(subscriber, auth.after)
        except TooManySockets:
            await self._close(POLICY_VIOLATION)
        except _Closed as closed:
            await self._close(closed.code)
        except Disconnected:
            pass
        except DomainError:  # the database went away under us: the client resumes with after
            await self._close(GOING_AWAY)
        finally:
            self._hub.leave(subscriber)

    async def _first_message(self) -> Auth:
        try:
            raw = await asyncio.wait_for(self._socket.receive(), self._limits.auth_seconds)
        except (TimeoutError, Disconnected):
            raise _Closed(SESSION_ENDED) from None
        message = parse(raw)
        if not isinstance(message, Auth) or (message.after is not None and message.after < 0):
            raise _Closed(SESSION_ENDED)
        return message

    async def _authenticate(self, token: str, *, as_: Actor | None = None) -> Actor:
        try:
            claimed = self._verifier.verify(token)
            expires = self._verifier.expires_at(token)
            actor = await self._confirm.execute(claimed, fresh=True)
        except (InvalidAccessToken, SessionEnded, WrongRegion):  # another region's: refused
            raise _Closed(SESSION_ENDED) from None
        if as_ is not None and (actor.tenant_id, actor.user_id) != (as_.tenant_id, as_.user_id):
            raise _Closed(BAD_MESSAGE)  # a socket belongs to one member of one tenant
        self._expires = expires
        return actor

    async def _serve(self, subscriber: Subscriber, after: int | None) -> None:
        position = await self._feed.position(subscriber.actor)
        await self._send(reply("ready", seq=position.latest))
        cursor = position.latest
        if after is not None:
            if position.floor <= after <= position.head:
                cursor = after
            else:
                await self._send(reply("resync"))
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
                await self._send(reply("pong"))
            # Queued under the role the socket had when they were offered: a member just
            # demoted must not be sent what is now for owners and admins only.
            actor = subscriber.actor
            for event in events:
                if event.seq > last and event.visible_to(actor.user_id, actor.role):
                    await self._send(event_message(event))
                    last = event.seq

    def _recheck_due(self, subscriber: Subscriber) -> float:
        """Seconds until the periodic confirmation of the session (0: now)."""
        elapsed = asyncio.get_running_loop().time() - subscriber.checked_at
        return max(0.0, self._limits.recheck_seconds - elapsed)

    async def _next(
        self, subscriber: Subscriber, receiving: asyncio.Task[None]
    ) -> list[PublishedEvent]:
        """The subscriber's next events, waking at the token's expiry to close the socket, and
        when the session is due to be confirmed again."""
        waiting = asyncio.get_running_loop().create_task(subscriber.wait())
        try:
            timeout = self._recheck_due(subscriber)
            if self._expires is not None:
                left = max(0.0, (self._expires - self._clock.now()).total_seconds())
                timeout = min(timeout, left)
            done, _ = await asyncio.wait(
                {waiting, receiving}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if receiving in done:
                receiving.result()  # the client went away, or broke the protocol: raises
            if waiting not in done:
                if self._expires is not None and self._clock.now() >= self._expires:
                    raise _Closed(SESSION_ENDED)
                if not self._recheck_due(subscriber):
                    subscriber.recheck = True
                return []
            return waiting.result()
        finally:
            waiting.cancel()

    async def _recheck(self, subscriber: Subscriber) -> None:
        subscriber.checked_at = asyncio.get_running_loop().time()
        try:
            subscriber.actor = await self._confirm.execute(subscriber.actor, fresh=True)
        except SessionEnded:
            raise _Closed(SESSION_ENDED) from None

    async def _receive(self, subscriber: Subscriber) -> None:
        while True:
            raw = await self._socket.receive()
            self._countmessage()
            if len(raw) > MAX_MESSAGE_BYTES:
                raise _Closed(MESSAGE_TOO_BIG)
            message = parse(raw)
            if message is None:
                raise _Closed(BAD_MESSAGE)
            if isinstance(message, Ping):
                subscriber.pong()
            else:  # a fresh token before the old one expires keeps the socket open
                subscriber.actor = await self._authenticate(
                    message.access_token, as_=subscriber.actor
                )

    def _countmessage(self) -> None:
        """A client has little to say (a ping every 20 s, a token every few minutes): one that
        floods the socket is cut off."""
        now = asyncio.get_running_loop().time()
        self._received.append(now)
        while self._received and now - self._received[0] > 60.0:
            self._received.popleft()
        if len(self._received) > self._limits.messages_per_minute:
            raise _Closed(POLICY_VIOLATION)

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
