"""The reference cases behind a node or an edge: what they hold, their order, and that they add
up to the map they explain (over any window and any chosen variants)."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.graph.errors import InvalidCaseSelector, InvalidVariant
from domain.graph.map_cases import CaseHit, CaseSelector, cases
from domain.graph.model import ActivityId, EntityId
from domain.graph.process_map import MapQuery, Window, compute, in_window, selected
from domain.graph.sequence import Occurrence
from tests.factories.graph import TYPES, occurrence_logs

S = 1_000_000  # a second in microseconds
A, B, C = EntityId(UUID(int=3)), EntityId(UUID(int=1)), EntityId(UUID(int=2))


def _trace(obj: int, *steps: tuple[str, int]) -> tuple[Occurrence, ...]:
    return tuple(
        Occurrence(activity_id=ActivityId(UUID(int=obj << 32 | n)), at=at * S, seq=0, type=t,
                   actor_id=None)
        for n, (t, at) in enumerate(steps)
    )  # fmt: skip


LOG = {
    A: _trace(1, ("Open", 0), ("Fix", 10), ("Open", 20), ("Fix", 50)),  # Open->Fix: 10 s, 30 s
    B: _trace(2, ("Open", 5), ("Fix", 35), ("Close", 40)),  # Open->Fix: 30 s
    C: _trace(3, ("Open", 7), ("Close", 9)),
}


def test_an_edges_cases_are_slowest_first_with_their_longest_delay() -> None:
    page = cases(LOG, MapQuery(object_type="case"), CaseSelector(source="Open", target="Fix"), 50)

    assert page.total == 2
    assert page.hits == (
        CaseHit(id=B, occurrences=1, longest=30 * S, first_at=5 * S, last_at=40 * S),  # B < A
        CaseHit(id=A, occurrences=2, longest=30 * S, first_at=0, last_at=50 * S),
    )


def test_a_nodes_cases_are_latest_first_and_the_limit_keeps_the_total() -> None:
    page = cases(LOG, MapQuery(object_type="case"), CaseSelector(activity="Open"), 2)

    assert page.total == 3
    assert [(h.id, h.occurrences, h.longest) for h in page.hits] == [(A, 2, None), (B, 1, None)]


def test_window_and_variants_choose_the_cases_the_map_covers() -> None:
    late = MapQuery(
        object_type="case", window=Window(start=datetime(1970, 1, 1, 0, 0, 6, tzinfo=UTC))
    )
    only = MapQuery(object_type="case", variants=(("Open", "Close"),))

    assert [h.id for h in cases(LOG, late, CaseSelector(activity="Open"), 50).hits] == [A, C]
    assert [h.id for h in cases(LOG, only, CaseSelector(activity="Open"), 50).hits] == [C]
    assert compute(LOG, only).objects == 1
    assert compute(LOG, only).nodes[0].count == 1


@pytest.mark.parametrize(
    "fields",
    [{}, {"activity": "A", "source": "A", "target": "B"}, {"source": "A"}, {"target": "B"},
     {"activity": "A", "target": "B"}, {"activity": "x" * 201}],
)  # fmt: skip
def test_a_selector_names_one_node_or_one_edge(fields: dict[str, str]) -> None:
    with pytest.raises(InvalidCaseSelector):
        CaseSelector(**fields)


@pytest.mark.parametrize(
    "variants",
    [((),), (("A",),) * 21, (("A",) * 501,), (("x" * 201,),)],
)
def test_variants_are_bounded(variants: tuple[tuple[str, ...], ...]) -> None:
    with pytest.raises(InvalidVariant):
        MapQuery(object_type="case", variants=variants)


windows = st.one_of(
    st.just(Window()),
    st.integers(0, 3_600).map(lambda s: Window(start=datetime.fromtimestamp(s, UTC))),
)


@settings(max_examples=300, deadline=None)
@given(log=occurrence_logs(), window=windows, data=st.data())
def test_the_cases_add_up_to_every_node_and_edge_of_the_map(
    log: dict[EntityId, tuple[Occurrence, ...]], window: Window, data: st.DataObject
) -> None:
    present = sorted({tuple(o.type for o in t) for t in in_window(log, window).values()})
    some = st.lists(st.sampled_from(present), min_size=1, max_size=2).map(tuple)
    chosen = data.draw(st.just(()) | some) if present else ()
    query = MapQuery(object_type="case", window=window, variants=chosen)
    covered = selected(log, query)
    served = compute(log, query)

    for edge in served.edges:
        page = cases(log, query, CaseSelector(source=edge.source, target=edge.target), 200)
        assert sum(h.occurrences for h in page.hits) == edge.count
        assert max(h.longest or 0 for h in page.hits) / S == edge.duration.max
        assert (
            page.total
            == len(page.hits)
            == sum(
                any((a.type, b.type) == (edge.source, edge.target) for a, b in pairwise(t))
                for t in covered.values()
            )
        )
    for node in served.nodes:
        page = cases(log, query, CaseSelector(activity=node.activity), 200)
        links = [o.activity_id for t in covered.values() for o in t if o.type == node.activity]
        assert sum(h.occurrences for h in page.hits) == len(links)  # an activity per object
        assert node.count == len(set(links))  # ... and the node counts it once
        assert {h.id for h in page.hits} <= covered.keys()
    assert cases(log, query, CaseSelector(activity="Unknown"), 200).total == 0
    assert set(TYPES) >= {n.activity for n in served.nodes}


def test_without_shared_activities_a_nodes_cases_add_up_to_its_count() -> None:
    served = compute(LOG, MapQuery(object_type="case"))

    for node in served.nodes:
        page = cases(LOG, MapQuery(object_type="case"), CaseSelector(activity=node.activity), 50)
        assert sum(h.occurrences for h in page.hits) == node.count
