"""What a connector hands the sync engine: one page of graph records, and where it got to.

A page is the unit of exactly-once: its records, its removals and the stream's new cursor are
written in one transaction. After a crash the page is read again and the upserts make that
harmless (at-least-once delivery + idempotent writes = exactly-once effect).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec

from domain.graph.model import GraphBatch, Removal, SourceRef


class SyncPage(msgspec.Struct, frozen=True, kw_only=True):
    batch: GraphBatch = GraphBatch()
    removals: tuple[Removal, ...] = ()
    # The stream's checkpoint once this page is stored; None keeps the stored one (Gmail stores
    # its historyId only with the last page of a pass).
    cursor: bytes | None = None
    # The provider time the stream has reached (for the cursor's age); None when it has none.
    position: datetime | None = None
    fetched: int = 0  # provider records read to make this page (throughput figures)
    pages: int = 1  # provider pages read to make it (more than one once pages are joined)

    @classmethod
    def joined(cls, pages: Sequence[SyncPage]) -> SyncPage:
        """Several pages stored as one (one transaction): their records, and the removals no
        later page brings back, the last cursor and position given. (A joined page is written
        before its removals apply; a record removed by one page and delivered again by a later
        one is the later page's, so its removal is dropped.)"""
        return cls(
            batch=GraphBatch(
                types=tuple(t for p in pages for t in p.batch.types),
                entities=tuple(e for p in pages for e in p.batch.entities),
                relationships=tuple(r for p in pages for r in p.batch.relationships),
                activities=tuple(a for p in pages for a in p.batch.activities),
            ),
            removals=_still_removed(pages),
            cursor=next((p.cursor for p in reversed(pages) if p.cursor is not None), None),
            position=next((p.position for p in reversed(pages) if p.position is not None), None),
            fetched=sum(p.fetched for p in pages),
            pages=sum(p.pages for p in pages),
        )


def _still_removed(pages: Sequence[SyncPage]) -> tuple[Removal, ...]:
    kept: list[Removal] = []
    later: set[tuple[str, SourceRef]] = set()  # (kind, ref) delivered by the pages after
    for page in reversed(pages):
        kept += (r for r in reversed(page.removals) if (r.kind, r.ref) not in later)
        later |= {("entity", e.ref) for e in page.batch.entities if not e.reference}
        later |= {("activity", a.ref) for a in page.batch.activities}
    return tuple(reversed(kept))
