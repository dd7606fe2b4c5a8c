"""HubSpot search read in windows on the modified date, never past the 10,000-result cap.

A window ``[lo, hi)`` (milliseconds) is searched with ``GTE lo`` and ``LT hi``, sorted
ascending, and paged by ``after``. HubSpot refuses to page past 10,000 results (400), so a
window whose ``total`` reaches the cap is split in half, recursively; a single millisecond
that still holds 10,000 records is split by ``hs_object_id`` ranges (providers.md rule 13).
Nothing is truncated (Nango integration-templates #647, activepieces #10160).

The cursor is the newest modified time committed and the ids already read at exactly that
time: HubSpot allows one sort, so there is no id tie-break; the next read starts ``>=`` that
time and skips only those ids (rule 11). ``after`` is an offset: when a record leaves the
window while it is paged (modified again, or archived), every later record moves up one
place and the next page would step over one. A page whose ``total`` differs from the
window's first is therefore dropped, and the window is searched again from the cursor.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")
log = logging.getLogger("atlas.sync.hubspot")

CAP = 10_000
ID_SPAN = (0, 2**63)  # hs_object_id ranges split within one millisecond
MAX_TIE_IDS = 500  # ids kept at the cursor's time; beyond them, re-reads are upserts


class SearchCursor(msgspec.Struct, frozen=True, kw_only=True):
    at: int  # ms: everything modified before it is committed
    ids: tuple[str, ...] = ()  # committed records modified exactly at ``at``


class Query(msgspec.Struct, frozen=True, kw_only=True):
    lo: int
    hi: int
    ids: tuple[int, int] | None = None  # hs_object_id in [first, second), sorted by id
    after: str | None = None


class Hit(msgspec.Struct, frozen=True):
    id: str
    at: int  # modified, ms


class Found(msgspec.Struct, Generic[T], frozen=True, kw_only=True):
    records: list[T]
    hits: list[Hit]  # one per record, same order
    total: int
    after: str | None


class Chunk(msgspec.Struct, Generic[T], frozen=True, kw_only=True):
    records: list[T]
    cursor: SearchCursor  # where the stream stands once ``records`` are committed


Search = Callable[[Query], Awaitable[Found[T]]]


class Windows(Generic[T]):
    """One pass over ``[cursor.at, hi)``: chunks in ascending modified order, then a last
    (possibly empty) chunk whose cursor is ``hi``."""

    def __init__(self, search: Search[T]) -> None:
        self._search = search
        self._cursor = SearchCursor(at=0)
        self._moved = False  # the last page's total differed from its window's first
        self.searches = 0  # what the pass cost, for logs and tests
        self.splits = 0

    async def read(self, cursor: SearchCursor, hi: int) -> AsyncIterator[Chunk[T]]:
        self._cursor = cursor
        if hi <= cursor.at:
            return
        async for chunk in self._window(cursor.at, hi):
            yield chunk
        yield Chunk(records=[], cursor=self._cursor)

    async def _window(self, lo: int, hi: int) -> AsyncIterator[Chunk[T]]:
        while lo < hi:
            first = await self._ask(Query(lo=lo, hi=hi))
            if first.total >= CAP:
                async for chunk in self._split(lo, hi):
                    yield chunk
                return
            found: Found[T] | None = first
            while found is not None:
                if (chunk := self._take(found)).records:
                    yield chunk
                found = await self._next(Query(lo=lo, hi=hi), found, first.total)
            if not self._moved:
                self._passed(hi)
                return
            # Records left the window while it was paged: search it again from the cursor.
            # Terminates: a window in the past only ever loses records, never gains them.
            lo, self._moved = max(lo, self._cursor.at), False

    async def _split(self, lo: int, hi: int) -> AsyncIterator[Chunk[T]]:
        self.splits += 1
        if hi - lo > 1:
            mid = lo + (hi - lo) // 2
            log.info("hubspot search window [%d, %d) holds the cap: halved", lo, hi)
            async for chunk in self._window(lo, mid):
                yield chunk
            async for chunk in self._window(mid, hi):
                yield chunk
            return
        log.info("hubspot search: one millisecond (%d) holds the cap: split by id", lo)
        async for chunk in self._ids(lo, *ID_SPAN):
            yield chunk
        self._passed(hi)

    async def _ids(self, at: int, first: int, last: int) -> AsyncIterator[Chunk[T]]:
        """Records modified at ``at`` with ``hs_object_id`` in ``[first, last)``."""
        while first < last:
            query = Query(lo=at, hi=at + 1, ids=(first, last))
            head = await self._ask(query)
            if head.total >= CAP and last - first > 1:
                self.splits += 1
                mid = first + (last - first) // 2
                async for chunk in self._ids(at, first, mid):
                    yield chunk
                async for chunk in self._ids(at, mid, last):
                    yield chunk
                return
            found: Found[T] | None = head
            read_to = first
            while found is not None:
                read_to = max([read_to, *(int(h.id) + 1 for h in found.hits)])
                if (chunk := self._take(found)).records:
                    yield chunk
                found = await self._next(query, found, head.total)
            if not self._moved:
                return
            first, self._moved = read_to, False  # sorted by id: resume after the last read

    async def _next(self, query: Query, found: Found[T], total: int) -> Found[T] | None:
        """The next page, or None at the end or when the window changed under the offsets."""
        if found.after is None:
            return None
        following = await self._ask(msgspec.structs.replace(query, after=found.after))
        if following.total != total:
            self._moved = True
            return None
        return following

    async def _ask(self, query: Query) -> Found[T]:
        self.searches += 1
        return await self._search(query)

    def _take(self, found: Found[T]) -> Chunk[T]:
        """The records not already committed at the cursor's time; the cursor moved past them."""
        cursor, seen, kept = self._cursor, set(self._cursor.ids), []
        for record, hit in zip(found.records, found.hits, strict=True):
            if hit.at == cursor.at and hit.id in seen:
                continue
            kept.append(record)
            if hit.at > cursor.at:
                cursor, seen = SearchCursor(at=hit.at, ids=(hit.id,)), {hit.id}
            elif hit.at == cursor.at and len(cursor.ids) < MAX_TIE_IDS:
                cursor = SearchCursor(at=cursor.at, ids=(*cursor.ids, hit.id))
                seen.add(hit.id)
        self._cursor = cursor
        return Chunk(records=kept, cursor=cursor)

    def _passed(self, hi: int) -> None:
        """Everything before ``hi`` is read: the cursor moves there (nothing at ``hi`` yet)."""
        if hi > self._cursor.at:
            self._cursor = SearchCursor(at=hi)
