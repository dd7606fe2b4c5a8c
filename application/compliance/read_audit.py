"""Owners and admins read their tenant's audit trail: a filtered page, or the whole chain."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import final

import msgspec

from application.compliance.ports import AuditChains, AuditFilter, ChainHead
from application.shared.actor import Actor
from application.shared.paging import decode_cursor, encode_cursor
from domain.compliance.audit import AuditRecord, Outcome
from domain.compliance.errors import InvalidAuditCursor, InvalidAuditFilter
from domain.identity.errors import RoleRequired

MAX_LIMIT = 200
EXPORT_BATCH = 1000


class AuditQuery(msgspec.Struct, frozen=True, kw_only=True):
    where: AuditFilter = AuditFilter()
    cursor: str | None = None
    limit: int = 50


class AuditPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[AuditRecord]
    next_cursor: str | None


class _Position(msgspec.Struct, frozen=True):
    before: int


def _require_manager(actor: Actor) -> None:
    if not actor.manages_members:
        raise RoleRequired()


def _check(where: AuditFilter) -> None:
    if where.outcome is not None and where.outcome not in set(Outcome):
        raise InvalidAuditFilter(field="outcome")
    if where.since is not None and where.until is not None and where.since >= where.until:
        raise InvalidAuditFilter(field="since")
    if any(t is not None and t.tzinfo is None for t in (where.since, where.until)):
        raise InvalidAuditFilter("Times need a time zone.", field="since")


@final
class ListAuditEvents:
    def __init__(self, chains: AuditChains) -> None:
        self._chains = chains

    async def execute(self, actor: Actor, query: AuditQuery) -> AuditPage:
        _require_manager(actor)
        _check(query.where)
        if not 1 <= query.limit <= MAX_LIMIT:
            raise InvalidAuditFilter(field="limit")
        before = None
        if query.cursor is not None:
            before = decode_cursor(query.cursor, _Position, InvalidAuditCursor).before
            if before < 1:
                raise InvalidAuditCursor()
        rows = list(
            await self._chains.newest_first(actor.tenant_id, query.where, before, query.limit + 1)
        )
        more = len(rows) > query.limit
        items = rows[: query.limit]
        cursor = encode_cursor(_Position(before=items[-1].seq)) if more else None
        return AuditPage(items=items, next_cursor=cursor)


@final
class ExportAuditTrail:
    """The whole chain up to its head, for a customer to verify on their own."""

    def __init__(self, chains: AuditChains) -> None:
        self._chains = chains

    async def execute(self, actor: Actor) -> tuple[ChainHead, AsyncIterator[AuditRecord]]:
        _require_manager(actor)
        head = await self._chains.head(actor.tenant_id)
        return head, self._links(head)

    async def _links(self, head: ChainHead) -> AsyncIterator[AuditRecord]:
        after = 0
        while after < head.last_seq:
            links = await self._chains.links(head.tenant_id, after, EXPORT_BATCH)
            for link in links:
                if link.seq > head.last_seq:
                    return
                yield link
            if not links:
                return
            after = links[-1].seq
