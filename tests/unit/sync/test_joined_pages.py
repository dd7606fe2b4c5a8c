"""Pages stored together keep each page's meaning: a later page's records win over an earlier
page's removal of them, and an earlier page's records still go when a later page removes them."""

from __future__ import annotations

from domain.graph.model import EntityRecord, GraphBatch, Removal, SourceRef
from domain.sync.page import SyncPage


def _ref(n: int) -> SourceRef:
    return SourceRef(provider="zendesk", scope="c", source_id=f"ticket:{n}")


def _page(cursor: bytes, *, write: tuple[int, ...] = (), remove: tuple[int, ...] = ()) -> SyncPage:
    entities = tuple(EntityRecord(ref=_ref(n), type="ticket") for n in write)
    removals = tuple(Removal(ref=_ref(n), kind="entity") for n in remove)
    return SyncPage(
        batch=GraphBatch(entities=entities), removals=removals, cursor=cursor, fetched=1
    )


def test_a_record_removed_then_delivered_again_stays() -> None:
    joined = SyncPage.joined([_page(b"1", remove=(7, 8)), _page(b"2", write=(7,))])

    assert [r.ref for r in joined.removals] == [_ref(8)]  # 7 came back on the later page
    assert [e.ref for e in joined.batch.entities] == [_ref(7)]
    assert (joined.cursor, joined.fetched, joined.pages) == (b"2", 2, 2)


def test_a_record_delivered_then_removed_goes() -> None:
    joined = SyncPage.joined([_page(b"1", write=(7,)), _page(b"2", remove=(7,))])

    assert [r.ref for r in joined.removals] == [_ref(7)]  # writes first, then removals: gone


def test_a_mention_does_not_bring_a_removed_record_back() -> None:
    mention = EntityRecord(ref=_ref(7), type="ticket", reference=True)
    later = SyncPage(batch=GraphBatch(entities=(mention,)))

    joined = SyncPage.joined([_page(b"1", remove=(7,)), later])

    assert [r.ref for r in joined.removals] == [_ref(7)]
