"""The feed on fakes: a socket in memory, a tenant with signed-in people, and a way to commit
events through real fake units of work, so a test states only what it is about."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import msgspec

from adapters.fakes.access_tokens import FakeAccessTokens
from adapters.fakes.clock import FrozenClock
from adapters.fakes.feed import FakeMemberFeed, FakeTenantFeed, notices_of
from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.store import InMemoryStore
from application.feed.hub import FeedHub
from application.feed.messages import Disconnected, FeedLimits, FeedSocket
from application.feed.ports import FeedPosition, MemberFeed
from application.feed.stream import FeedStream
from application.identity.confirm_session import ConfirmSession
from application.identity.sessions import Sessions
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.feed.events import Audience, EventKind, FeedEvent, PublishedEvent
from domain.identity.model import Role
from domain.identity.sessions import RevocationReason, SessionPolicy
from domain.shared.ids import TenantId
from tests.factories.identity import WHEN, seed_sessions, seed_tenant_with_owner

TIMEOUT = 5.0  # only so that a broken test fails instead of hanging
POLICY = SessionPolicy(
    access_token_lifetime=timedelta(minutes=10),
    idle_timeout=timedelta(days=1),
    absolute_lifetime=timedelta(days=30),
    reuse_window=timedelta(seconds=30),
)
LIMITS = FeedLimits(auth_seconds=TIMEOUT, queue=100, stall_seconds=TIMEOUT, replay_batch=3)


def event(kind: EventKind = EventKind.SYNC_PROGRESS, **data: Any) -> FeedEvent:
    return FeedEvent(kind=kind, data=data)


def private(to: Actor, **data: Any) -> FeedEvent:
    return FeedEvent.about_source(EventKind.SYNC_PROGRESS, to.user_id, data)


def alert(**data: Any) -> FeedEvent:
    return FeedEvent(kind=EventKind.SECURITY_ALERT, data=data, audience=Audience.ADMINS)


class MemorySocket(FeedSocket):
    """The client's end: what it says waits in ``inbox`` (None: it goes away); what the server
    sends is kept, and read in order with ``message()``."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[str | bytes | None] = asyncio.Queue()
        self.sent: list[dict[str, Any]] = []
        self.flowing = asyncio.Event()  # cleared: the client stops reading, sends never end
        self.flowing.set()
        self._arrived: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def receive(self) -> str | bytes:
        said = await self.inbox.get()
        if said is None:
            raise Disconnected()
        return said

    async def send(self, text: str) -> None:
        await self.flowing.wait()
        message = json.loads(text)
        self.sent.append(message)
        self._arrived.put_nowait(message)

    async def close(self, code: int) -> None:
        self._arrived.put_nowait({"closed": code})

    def say(self, message: dict[str, Any] | str | bytes) -> None:
        self.inbox.put_nowait(json.dumps(message) if isinstance(message, dict) else message)

    def auth(self, token: str, after: int | None = None) -> None:
        self.say({"type": "auth", "access_token": token, "after": after})

    async def message(self) -> dict[str, Any]:
        """The next message sent, or ``{"closed": code}`` once the server closed."""
        return await asyncio.wait_for(self._arrived.get(), TIMEOUT)

    async def messages(self, count: int) -> list[dict[str, Any]]:
        return [await self.message() for _ in range(count)]

    async def until(self, seq: int) -> list[dict[str, Any]]:
        """The messages up to the event numbered ``seq``; a close on the way fails the test."""
        got: list[dict[str, Any]] = []
        async with asyncio.timeout(TIMEOUT):
            while not got or got[-1].get("seq") != seq:
                message = await self.message()
                assert "closed" not in message, [*got, message]
                got.append(message)
        return got

    async def closed_with(self) -> int | None:
        async with asyncio.timeout(TIMEOUT):  # a stream that never stops sending fails too
            while "closed" not in (message := await self.message()):
                pass
        return message["closed"]  # type: ignore[no-any-return]


class WatchedTenantFeed(FakeTenantFeed):
    """The fan-out's reads, with a way to wait until the hub has read (and so offered) an
    event; ``failures`` reads fail first, as a database that went away would."""

    def __init__(self, store: InMemoryStore, failures: int = 0) -> None:
        super().__init__(store)
        self.failures = failures
        self.read_through = 0
        self._read = asyncio.Event()
        self.tenants_read: list[TenantId] = []
        self.heads_asked = 0

    async def heads(self, tenants: Sequence[TenantId]) -> dict[TenantId, int]:
        self.heads_asked += 1
        return await super().heads(tenants)

    async def after(self, tenant: TenantId, seq: int, limit: int) -> list[PublishedEvent]:
        self.tenants_read.append(tenant)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("the database went away")
        events = list(await super().after(tenant, seq, limit))
        if events:
            self.read_through = max(self.read_through, events[-1].seq)
            self._read.set()
        return events

    async def reached(self, seq: int) -> None:
        async with asyncio.timeout(TIMEOUT):
            while self.read_through < seq:
                self._read.clear()
                await self._read.wait()


Hook = Callable[[], Awaitable[None]]


class MeddlingFeed(FakeMemberFeed):
    """The member's outbox reads, with something committed while a read is under way: once,
    or on every read of ``after`` when ``repeat``."""

    def __init__(
        self,
        store: InMemoryStore,
        *,
        on_position: Hook | None = None,
        on_after: Hook | None = None,
        repeat: bool = False,
    ) -> None:
        super().__init__(store)
        self._on_position, self._on_after, self._repeat = on_position, on_after, repeat

    async def position(self, actor: Actor) -> FeedPosition:
        answer = await super().position(actor)
        if self._on_position is not None:
            hook, self._on_position = self._on_position, None
            await hook()
        return answer

    async def after(self, actor: Actor, seq: int, limit: int) -> Sequence[PublishedEvent]:
        if self._on_after is not None:
            hook = self._on_after
            self._on_after = hook if self._repeat else None
            await hook()
        return await super().after(actor, seq, limit)


@dataclass
class FeedRig:
    store: InMemoryStore = field(default_factory=InMemoryStore)
    clock: FrozenClock = field(default_factory=lambda: FrozenClock(WHEN))
    people: dict[str, Actor] = field(default_factory=dict)
    tenant_feed: WatchedTenantFeed = field(init=False)
    hub: FeedHub = field(init=False)
    tokens: FakeAccessTokens = field(init=False)
    sessions: Sessions = field(init=False)
    running: list[tuple[MemorySocket, asyncio.Task[None]]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.tenant_feed = WatchedTenantFeed(self.store)
        self.hub = FeedHub(self.tenant_feed, batch=2)  # small batches: several reads
        notices_of(self.store).listeners.append(self.hub.notice)
        self.tokens = FakeAccessTokens(self.clock)
        self.sessions = Sessions(self.tokens, self.clock, POLICY)

    def uow(self, scope: Scope) -> FakeIdentityUnitOfWork:
        return FakeIdentityUnitOfWork(self.store, scope)

    async def seed(self) -> None:
        """One tenant: its owner, an admin, and two plain members, each signed in."""
        tenant, users = await seed_tenant_with_owner(self.uow, members=3)
        roles = {"owner": Role.OWNER, "admin": Role.ADMIN, "member": Role.MEMBER}
        roles["colleague"] = Role.MEMBER
        for (name, role), user in zip(roles.items(), users, strict=True):
            family = (await seed_sessions(self.uow, tenant, user)).family
            self.people[name] = Actor(
                tenant_id=tenant.id, user_id=user.id, role=role, session_id=family.id
            )
            await self.set_role(self.people[name], role)

    async def set_role(self, actor: Actor, role: Role) -> None:
        async with self.uow(actor.scope) as uow:
            membership = await uow.memberships.get(actor.user_id)
            assert membership is not None
            await uow.memberships.save(msgspec.structs.replace(membership, role=role))
            await uow.commit()

    async def log_out(self, actor: Actor) -> None:
        async with self.uow(actor.scope) as uow:
            await self.sessions.end(uow, actor, RevocationReason.LOGOUT)
            await uow.commit()

    async def announce(self, *events: FeedEvent, by: Actor | None = None) -> int:
        """Commit ``events`` in one transaction of ``by``'s tenant (the owner's); its new head."""
        actor = by or self.people["owner"]
        async with self.uow(actor.scope) as uow:
            for announced in events:
                uow.events.announce(announced)
            await uow.commit()
        return await self.head(actor.tenant_id)

    async def head(self, tenant: TenantId) -> int:
        return (await self.tenant_feed.heads([tenant]))[tenant]

    def token(self, name: str) -> str:
        return self.tokens.issue(self.people[name])

    def open(self, *, limits: FeedLimits = LIMITS, feed: MemberFeed | None = None) -> MemorySocket:
        socket = MemorySocket()
        stream = FeedStream(
            socket=socket,
            hub=self.hub,
            feed=feed or FakeMemberFeed(self.store),
            verifier=self.tokens,
            confirm=ConfirmSession(self.uow, self.sessions),
            clock=self.clock,
            limits=limits,
        )
        self.running.append((socket, asyncio.get_running_loop().create_task(stream.run())))
        return socket

    async def connect(self, name: str, after: int | None = None, **opened: Any) -> MemorySocket:
        """A socket of ``name``, authenticated, its ``ready`` read."""
        socket = self.open(**opened)
        socket.auth(self.token(name), after)
        ready = await socket.message()
        assert ready["type"] == "ready", ready
        return socket

    async def aclose(self) -> None:
        """Every client goes away; a stream that raised fails the test."""
        for socket, _ in self.running:
            socket.flowing.set()
            socket.inbox.put_nowait(None)
        for _, task in self.running:
            await asyncio.wait_for(task, TIMEOUT)
        await self.hub.stop()


def seqs(messages: list[dict[str, Any]]) -> list[int]:
    return [m["seq"] for m in messages if m.get("type") == "event"]
