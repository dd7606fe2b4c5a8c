"""The feed's outbox in memory: numbered at commit, read back by a member or by the fan-out."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from adapters.fakes.store import InMemoryStore, Tables
from application.feed.ports import FeedPosition
from application.shared.actor import Actor
from domain.feed.events import FeedEvent, PublishedEvent, pending_with
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId

Notice = Callable[[TenantId, int], None]


@dataclass
class FeedTables:
    events: dict[TenantId, list[PublishedEvent]] = field(default_factory=dict)
    floors: dict[TenantId, int] = field(default_factory=dict)
    heads: dict[TenantId, int] = field(default_factory=dict)


class FeedNotices:
    """What LISTEN/NOTIFY is on PostgreSQL: told ``(tenant, seq)`` after each commit."""

    def __init__(self) -> None:
        self.listeners: list[Notice] = []

    def __call__(self, tenant: TenantId, seq: int) -> None:
        for listener in list(self.listeners):
            listener(tenant, seq)


def notices_of(store: InMemoryStore) -> FeedNotices:
    notices = getattr(store, "feed_notices", None)
    if notices is None:
        notices = FeedNotices()
        store.feed_notices = notices  # type: ignore[attr-defined]
    return notices


class FakeEventOutbox:
    def __init__(self, tables: Tables, tenant_id: TenantId | None) -> None:
        self._tables, self._tenant_id = tables, tenant_id
        self.pending: list[FeedEvent] = []

    def announce(self, event: FeedEvent) -> None:
        pending_with(self.pending, event)

    def flush(self, into: Tables | None = None) -> int | None:
        """Number and store what was announced (in ``into``, the committed tables, when given);
        the tenant's new head, if anything was."""
        if not self.pending:
            return None
        if self._tenant_id is None:
            raise ScopeViolation()
        feed = (into or self._tables).of(FeedTables)
        tenant = self._tenant_id
        head = feed.heads.get(tenant, 0)
        kept = list(feed.events.get(tenant, []))
        for event in self.pending:
            head += 1
            kept.append(
                PublishedEvent(
                    seq=head,
                    kind=event.kind.value,
                    at=datetime.now(UTC),
                    data=event.data,
                    audience=event.audience,
                    private_to=event.private_to,
                )
            )
        feed.events[tenant], feed.heads[tenant] = kept, head
        self.pending = []
        return head


class FakeMemberFeed:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    def _feed(self) -> FeedTables:
        return self._store.tables.of(FeedTables)

    async def position(self, actor: Actor) -> FeedPosition:
        feed = self._feed()
        floor = feed.floors.get(actor.tenant_id, 0)
        seen = [e.seq for e in self._visible(actor)]
        return FeedPosition(
            latest=max(seen[-1] if seen else 0, floor),
            head=feed.heads.get(actor.tenant_id, 0),
            floor=floor,
        )

    async def after(self, actor: Actor, seq: int, limit: int) -> Sequence[PublishedEvent]:
        return [e for e in self._visible(actor) if e.seq > seq][:limit]

    async def import_news(self, actor: Actor, import_id: UUID) -> PublishedEvent | None:
        kinds = ("import.progress", "import.finished")
        news = [
            e
            for e in self._visible(actor)
            if e.kind in kinds and e.data.get("import_id") == str(import_id)
        ]
        return news[-1] if news else None

    def _visible(self, actor: Actor) -> list[PublishedEvent]:
        events = self._feed().events.get(actor.tenant_id, [])
        return [e for e in events if e.visible_to(actor.user_id, actor.role)]


class FakeTenantFeed:
    def __init__(self, store: InMemoryStore) -> None:
        self._store = store

    async def heads(self, tenants: Sequence[TenantId]) -> dict[TenantId, int]:
        heads = self._store.tables.of(FeedTables).heads
        return {t: heads.get(t, 0) for t in tenants}

    async def after(self, tenant: TenantId, seq: int, limit: int) -> Sequence[PublishedEvent]:
        events = self._store.tables.of(FeedTables).events.get(tenant, [])
        return [e for e in events if e.seq > seq][:limit]

    def prune(self, tenant: TenantId, through: int) -> None:
        """Drop the tenant's events up to ``through``, as retention would."""
        feed = self._store.tables.of(FeedTables)
        feed.events[tenant] = [e for e in feed.events.get(tenant, []) if e.seq > through]
        feed.floors[tenant] = max(feed.floors.get(tenant, 0), through)
