"""HubSpot search windows: split under the cap, ties at the cursor, records leaving the window."""

from __future__ import annotations

from collections.abc import Callable

import msgspec
import pytest

from adapters.connectors.hubspot import windows
from adapters.connectors.hubspot.windows import Found, Hit, Query, SearchCursor, Windows

PAGE = 10
CAP = 30


class FakeSearch:
    """HubSpot's search over ``(id, modified ms)`` records: ``total``, offsets, the cap."""

    def __init__(self, records: list[Hit]) -> None:
        self.records = records
        self.queries: list[Query] = []
        self.before_page: Callable[[int], None] = lambda n: None

    async def __call__(self, query: Query) -> Found[Hit]:
        self.before_page(len(self.queries))
        self.queries.append(query)
        start = int(query.after or 0)
        if start >= CAP:
            raise AssertionError("paged past the cap: HubSpot answers 400")
        matched = [
            r
            for r in self.records
            if query.lo <= r.at < query.hi
            and (query.ids is None or query.ids[0] <= int(r.id) < query.ids[1])
        ]
        by_id = query.ids is not None
        matched.sort(key=lambda r: (int(r.id),) if by_id else (r.at, int(r.id)))
        page = matched[start : start + PAGE]
        after = str(start + PAGE) if start + PAGE < len(matched) else None
        return Found(records=page, hits=page, total=len(matched), after=after)


@pytest.fixture(autouse=True)
def small_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(windows, "CAP", CAP)


async def read(sut: Windows[Hit], cursor: SearchCursor, hi: int) -> tuple[list[Hit], SearchCursor]:
    got: list[Hit] = []
    last = cursor
    async for chunk in sut.read(cursor, hi):
        got += chunk.records
        last = chunk.cursor
    return got, last


async def test_a_window_over_the_cap_is_halved_until_every_record_arrives_once() -> None:
    records = [Hit(str(i), 1_000 + i // 2) for i in range(100)]  # 100 records over 50 ms
    search = FakeSearch(records)
    sut = Windows(search)

    got, cursor = await read(sut, SearchCursor(at=0), 5_000)

    assert sorted(got, key=lambda r: int(r.id)) == records
    assert sut.splits > 0
    assert cursor == SearchCursor(at=5_000)


async def test_one_millisecond_over_the_cap_is_split_by_object_id() -> None:
    records = [Hit(str(10_000 + i), 7_000) for i in range(75)]  # all in one ms
    search = FakeSearch(records)
    sut = Windows(search)

    got, _ = await read(sut, SearchCursor(at=6_000), 8_000)

    assert sorted(got, key=lambda r: int(r.id)) == records
    assert any(q.ids is not None for q in search.queries)


async def test_a_cursor_inside_a_tie_skips_only_the_ids_it_committed() -> None:
    records = [Hit(str(i), 2_000) for i in range(5)] + [Hit("9", 2_001)]
    sut = Windows(FakeSearch(records))

    got, cursor = await read(sut, SearchCursor(at=2_000, ids=("0", "1")), 3_000)

    assert [r.id for r in got] == ["2", "3", "4", "9"]
    assert cursor == SearchCursor(at=3_000)


async def test_each_chunk_carries_a_cursor_that_resumes_without_a_gap() -> None:
    records = [Hit(str(i), 1_000 + i // 4) for i in range(25)]  # ties across page boundaries
    sut = Windows(FakeSearch(records))
    chunks = [c async for c in sut.read(SearchCursor(at=0), 2_000)]

    for n, chunk in enumerate(chunks[:-1]):
        later = [r for c in chunks[n + 1 :] for r in c.records]
        resumed, _ = await read(Windows(FakeSearch(records)), chunk.cursor, 2_000)

        assert {r.id for r in later} <= {r.id for r in resumed}
        assert not {r.id for r in resumed} & set(chunk.cursor.ids)


async def test_a_record_leaving_the_window_while_it_is_paged_makes_no_other_record_skipped() -> (
    None
):
    records = [Hit(str(i), 1_000 + i) for i in range(25)]
    search = FakeSearch(list(records))
    # After the first page, record 3 is modified again: it leaves the window (its time moves
    # past hi), and every later record moves up one offset: page two, at offset 10, would
    # start at record 11 and record 10 would never be read.
    search.before_page = lambda n: (
        search.records.__setitem__(3, Hit("3", 9_999)) if n == 1 else None
    )
    sut = Windows(search)

    got, _ = await read(sut, SearchCursor(at=0), 5_000)

    assert {r.id for r in got} == {r.id for r in records}
    assert len(search.queries) > 3  # the window was searched again from the cursor


def test_the_cursor_round_trips_as_json() -> None:
    cursor = SearchCursor(at=1_700_000_000_123, ids=("1", "2"))

    assert msgspec.json.decode(msgspec.json.encode(cursor), type=SearchCursor) == cursor
