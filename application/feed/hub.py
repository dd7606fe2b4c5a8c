"""One API process's fan-out: the sockets it holds, grouped by tenant, and the outbox reads that
feed them.

A notice says only ``(tenant, seq)``. For a tenant with sockets here, the hub reads that
tenant's new events once, in order, from the number it had reached, and offers each to every
socket of the tenant; each socket keeps what its member may see. A tenant without sockets here
costs nothing. After the listener reconnects (``resume``) every tenant is read from where the
hub stood, so notices lost while it was down lose no event.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime

from application.feed.ports import TenantFeed
from application.shared.actor import Actor
from application.shared.metrics import Metrics, NoMetrics
from domain.feed.events import PublishedEvent
from domain.shared.errors import StorageError
from domain.shared.ids import TenantId, UserId

log = logging.getLogger("atlas.feed")

SLOW_CONSUMER = 4408  # close code: the client cannot keep up; it resumes with ``after``
SESSION_ENDED = 4401
RETRY_SECONDS = 1.0
SOCKETS_PER_MEMBER = 20  # in one process: tabs and devices, not a flood


class TooManySockets(Exception):
    """The member already holds the most sockets one process keeps for one member."""


class Subscriber:
    """One socket's place in the hub: its member, its bounded queue, and why it must close.

    The queue never grows past ``limit``. When an event finds it full, what it holds is dropped
    and the subscriber is marked ``behind``: its socket reads what it missed from the outbox
    instead, where every event stays. A burst (a listener's catch-up, a large sync page) thus
    costs a healthy client one read, not its connection; a client that stays behind is closed
    by its socket (4408).
    """

    def __init__(self, actor: Actor, limit: int) -> None:
        self.actor = actor
        self.limit = limit
        self.closing: int | None = None  # a close code, once the socket must go
        self.recheck = False  # the member's session or role may have changed
        self.checked_at = 0.0  # when its session was last confirmed (the loop's clock)
        self.behind = False  # the queue overflowed: read on from the outbox
        self.pongs = 0
        self._queue: deque[PublishedEvent] = deque()
        self._wake = asyncio.Event()

    def offer(self, event: PublishedEvent) -> None:
        if self.closing is not None:
            return
        if not event.visible_to(self.actor.user_id, self.actor.role):
            return
        if len(self._queue) >= self.limit:
            self._queue.clear()  # all still in the outbox: the socket reads it from there
            self.behind = True
        self._queue.append(event)
        self._wake.set()

    def close(self, code: int) -> None:
        if self.closing is None:
            self.closing = code
        self._wake.set()

    def ask_recheck(self) -> None:
        self.recheck = True
        self._wake.set()

    def pong(self) -> None:
        self.pongs += 1
        self._wake.set()

    async def wait(self) -> list[PublishedEvent]:
        """The events queued so far, once there are any or something else needs the socket."""
        while not (self._queue or self.closing is not None or self.recheck or self.pongs
                   or self.behind):  # fmt: skip
            self._wake.clear()
            await self._wake.wait()
        events = list(self._queue)
        self._queue.clear()
        return events


class _Channel:
    def __init__(self) -> None:
        self.subscribers: set[Subscriber] = set()
        self.head: int | None = None  # read and offered up to here
        self.target = 0  # the newest number a notice announced
        self.pumping = False
        self.opened = asyncio.Event()
        self.failed = False


class FeedHub:
    def __init__(
        self, feed: TenantFeed, *, batch: int = 1000, per_member: int = SOCKETS_PER_MEMBER
    ) -> None:
        self._feed, self._batch, self._per_member = feed, batch, per_member
        self._channels: dict[TenantId, _Channel] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self.metrics: Metrics = NoMetrics()  # the process's, once the app serves (create_app)

    @property
    def subscribers(self) -> int:
        return sum(len(c.subscribers) for c in self._channels.values())

    async def join(self, subscriber: Subscriber) -> int:
        """Start offering the member's tenant's events to ``subscriber``: every event numbered
        above the returned head. The socket reads what lies below from the outbox itself."""
        tenant = subscriber.actor.tenant_id
        channel = self._channels.get(tenant)
        if channel is None:
            channel = self._channels[tenant] = _Channel()
            try:
                head = (await self._feed.heads([tenant]))[tenant]
            except BaseException:
                channel.failed = True
                channel.opened.set()
                if self._channels.get(tenant) is channel:
                    del self._channels[tenant]
                raise
            channel.head = head
            channel.opened.set()
            self._kick(tenant, channel)
        else:
            await channel.opened.wait()
            if channel.failed:
                raise StorageError()
        assert channel.head is not None  # noqa: S101 - set before opened
        user = subscriber.actor.user_id
        if sum(s.actor.user_id == user for s in channel.subscribers) >= self._per_member:
            raise TooManySockets()
        channel.subscribers.add(subscriber)
        return channel.head

    def leave(self, subscriber: Subscriber) -> None:
        tenant = subscriber.actor.tenant_id
        channel = self._channels.get(tenant)
        if channel is None:
            return
        channel.subscribers.discard(subscriber)
        if not channel.subscribers and channel.opened.is_set():
            del self._channels[tenant]

    def notice(self, tenant: TenantId, seq: int) -> None:
        """The listener's callback: ``tenant`` committed events up to ``seq``."""
        channel = self._channels.get(tenant)
        if channel is None:
            return
        channel.target = max(channel.target, seq)
        self._kick(tenant, channel)

    def session_notice(self, tenant: TenantId, user: UserId) -> None:
        """A session of ``user`` ended or their membership changed: their sockets check again."""
        channel = self._channels.get(tenant)
        for subscriber in channel.subscribers if channel else ():
            if subscriber.actor.user_id == user:
                subscriber.ask_recheck()

    async def resume(self) -> None:
        """After the listener reconnects: notices may have been lost, so every tenant is read
        again from its head, and every socket checks its session again."""
        tenants = [t for t, c in self._channels.items() if c.head is not None]
        heads = await self._feed.heads(tenants) if tenants else {}
        for tenant, head in heads.items():
            self.notice(tenant, head)
        for channel in self._channels.values():
            for subscriber in channel.subscribers:
                subscriber.ask_recheck()

    def close_all(self, code: int) -> None:
        for channel in self._channels.values():
            for subscriber in channel.subscribers:
                subscriber.close(code)

    def _kick(self, tenant: TenantId, channel: _Channel) -> None:
        if channel.pumping or channel.head is None or channel.target <= channel.head:
            return
        channel.pumping = True
        task = asyncio.get_running_loop().create_task(self._pump(tenant, channel))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _pump(self, tenant: TenantId, channel: _Channel) -> None:
        try:
            while self._channels.get(tenant) is channel:
                assert channel.head is not None  # noqa: S101 - pumped only once opened
                if channel.target <= channel.head:
                    return
                events = await self._feed.after(tenant, channel.head, self._batch)
                if not events:
                    channel.target = channel.head  # a notice from before a restore: nothing new
                    return
                self._offer(channel, events, self.metrics)
                channel.head = events[-1].seq
        except Exception:
            # The events stay in the outbox: read them again shortly (and on the listener's
            # reconnect, if the database went away).
            log.warning("feed: reading tenant events failed; retrying", exc_info=True)
            asyncio.get_running_loop().call_later(RETRY_SECONDS, self._retry, tenant, channel)
        finally:
            channel.pumping = False

    def _retry(self, tenant: TenantId, channel: _Channel) -> None:
        if self._channels.get(tenant) is channel:
            self._kick(tenant, channel)

    @staticmethod
    def _offer(channel: _Channel, events: Sequence[PublishedEvent], metrics: Metrics) -> None:
        now = datetime.now(UTC)
        for event in events:
            for subscriber in list(channel.subscribers):
                subscriber.offer(event)
            metrics.feed_offered(len(channel.subscribers), (now - event.at).total_seconds())

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
