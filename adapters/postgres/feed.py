"""The feed's outbox on PostgreSQL, read back: by a member in their scope, and by the fan-out
and the retention job through the definer functions of migration 0012."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.postgres.graph_db import GraphDb
from adapters.postgres.uow import PostgresUnitOfWork
from application.feed.ports import FeedPosition
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.feed.events import Audience, PublishedEvent
from domain.shared.ids import TenantId, UserId

_decode = msgspec.json.Decoder(dict[str, Any]).decode
_MEMBER_AFTER = """
SELECT seq, kind, visibility, private_to, data::text AS data, created_at
FROM atlas.tenant_events
WHERE tenant_id = $1 AND seq > $2
  AND (private_to IS NULL OR private_to = $3) AND (visibility <> 'admins' OR $4)
ORDER BY seq LIMIT $5"""
_IMPORT_NEWS = """
SELECT seq, kind, visibility, private_to, data::text AS data, created_at
FROM atlas.tenant_events
WHERE tenant_id = $1 AND kind IN ('import.progress', 'import.finished')
  AND data->>'import_id' = $2 AND (private_to IS NULL OR private_to = $3)
ORDER BY seq DESC LIMIT 1"""
_TENANT_AFTER = """
SELECT seq, kind, visibility, private_to, data::text AS data, created_at
FROM atlas.feed_tenant_events($1, $2, $3)"""


def published(row: Any) -> PublishedEvent:
    private_to = row["private_to"]
    return PublishedEvent(
        seq=row["seq"],
        kind=row["kind"],
        at=row["created_at"],
        data=_decode(row["data"]),
        audience=Audience(row["visibility"]),
        private_to=UserId(private_to) if private_to is not None else None,
    )


class PostgresMemberFeed:
    """Reads in the member's own scope: row security and the statement both keep the tenant
    and the member's private events; the statement also keeps the role's."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def position(self, actor: Actor) -> FeedPosition:
        async with PostgresUnitOfWork(self._sessions, actor.scope) as uow:
            db = GraphDb(uow.session, actor.tenant_id, actor.user_id)
            row = await db.fetch(
                "SELECT last_seq, floor_seq FROM atlas.tenant_event_heads WHERE tenant_id = $1",
                actor.tenant_id,
            )
            head, floor = (row[0]["last_seq"], row[0]["floor_seq"]) if row else (0, 0)
            latest = await db.fetchval(
                "SELECT max(seq) FROM atlas.tenant_events WHERE tenant_id = $1 "
                "AND (private_to IS NULL OR private_to = $2) AND (visibility <> 'admins' OR $3)",
                actor.tenant_id,
                actor.user_id,
                actor.role.manages_members,
            )
        return FeedPosition(latest=max(latest or 0, floor), head=head, floor=floor)

    async def after(self, actor: Actor, seq: int, limit: int) -> Sequence[PublishedEvent]:
        async with PostgresUnitOfWork(self._sessions, actor.scope) as uow:
            rows = await GraphDb(uow.session, actor.tenant_id, actor.user_id).fetch(
                _MEMBER_AFTER,
                actor.tenant_id,
                seq,
                actor.user_id,
                actor.role.manages_members,
                limit,
            )
        return [published(r) for r in rows]

    async def import_news(self, actor: Actor, import_id: UUID) -> PublishedEvent | None:
        async with PostgresUnitOfWork(self._sessions, actor.scope) as uow:
            rows = await GraphDb(uow.session, actor.tenant_id, actor.user_id).fetch(
                _IMPORT_NEWS, actor.tenant_id, str(import_id), actor.user_id
            )
        return published(rows[0]) if rows else None


class PostgresTenantFeed:
    """The fan-out's reads, through the narrow definer functions of migration 0012: across
    tenants by design (one listener serves every tenant), each read naming its tenant."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def heads(self, tenants: Sequence[TenantId]) -> dict[TenantId, int]:
        async with PostgresUnitOfWork(self._sessions, Scope.ANONYMOUS) as uow:
            rows = await GraphDb(uow.session, None).fetch(
                "SELECT tenant_id, last_seq FROM atlas.feed_tenant_heads($1::uuid[])",
                list(tenants),
            )
        return {TenantId(r["tenant_id"]): r["last_seq"] for r in rows}

    async def after(self, tenant: TenantId, seq: int, limit: int) -> Sequence[PublishedEvent]:
        async with PostgresUnitOfWork(self._sessions, Scope.ANONYMOUS) as uow:
            rows = await GraphDb(uow.session, None).fetch(_TENANT_AFTER, tenant, seq, limit)
        return [published(r) for r in rows]


class PostgresFeedRetention:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def prune(self, before: datetime, keep: int) -> int:
        # Across tenants by design: retention is deployment-wide (a definer function).
        async with PostgresUnitOfWork(self._sessions, Scope.ANONYMOUS) as uow:
            removed = await GraphDb(uow.session, None).fetchval(
                "SELECT atlas.feed_prune($1, $2)", before, keep
            )
            await uow.commit()
        return int(removed or 0)
