"""The columnar (numpy) process map, and the cases behind it, equal the reference computation
to the last bit: over any window, and over any chosen variants."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.maps.cases import cases as columnar_cases
from adapters.maps.columns import Columns, build
from adapters.maps.compute import compute as columnar
from adapters.postgres.graph_codec import pack
from domain.graph.map_cases import CaseSelector, cases
from domain.graph.model import EntityId
from domain.graph.process_map import MapQuery, Window, compute, in_window, narrowed, widest
from domain.graph.sequence import Occurrence
from tests.factories.graph import ACTOR_IDS, T0, TYPES, occurrence_logs

ALIASES = {ACTOR_IDS[3]: ACTOR_IDS[0]}  # two records of one person
CODES = {name: n * 3 + 1 for n, name in enumerate(TYPES)}  # codes need not be dense


windows = st.builds(
    lambda a, b: Window(
        start=T0 + timedelta(minutes=a) if a is not None else None,
        end=T0 + timedelta(minutes=a or 0, seconds=b) if b is not None else None,
    ),
    st.none() | st.integers(0, 60),
    st.none() | st.integers(1, 3_600),
)


@settings(max_examples=300, deadline=None)
@given(log=occurrence_logs(), window=windows, top=st.integers(0, 5))
def test_columns_compute_the_reference_map(
    log: dict[EntityId, tuple[Occurrence, ...]], window: Window, top: int
) -> None:
    shifted = _shifted(log)
    query = MapQuery(object_type="case", window=window, top=top)
    columns = _columns(shifted)

    served = columnar(columns, query)

    assert served == compute(shifted, query, ALIASES)
    assert narrowed(columnar(columns, widest(query)), top) == served  # the cache's shortcut


@settings(max_examples=300, deadline=None)
@given(log=occurrence_logs(), window=windows, top=st.integers(0, 5), data=st.data())
def test_columns_compute_the_reference_map_of_chosen_variants(
    log: dict[EntityId, tuple[Occurrence, ...]], window: Window, top: int, data: st.DataObject
) -> None:
    shifted = _shifted(log)
    chosen = data.draw(_variants_of(shifted, window))
    query = MapQuery(object_type="case", window=window, top=top, variants=chosen)

    served = columnar(_columns(shifted), query)

    assert served == compute(shifted, query, ALIASES)
    assert served.objects <= len(shifted)


@settings(max_examples=300, deadline=None)
@given(log=occurrence_logs(), window=windows, limit=st.integers(0, 8), data=st.data())
def test_columns_select_the_reference_cases(
    log: dict[EntityId, tuple[Occurrence, ...]], window: Window, limit: int, data: st.DataObject
) -> None:
    shifted = _shifted(log)
    chosen = data.draw(st.just(()) | _variants_of(shifted, window))
    query = MapQuery(object_type="case", window=window, variants=chosen)
    names = st.sampled_from([*TYPES, "Unknown"])
    selector = data.draw(
        st.builds(CaseSelector, activity=names)
        | st.builds(CaseSelector, source=names, target=names)
    )

    served = columnar_cases(_columns(shifted), query, selector, limit)

    assert served == cases(shifted, query, selector, limit)


def _variants_of(
    log: dict[EntityId, tuple[Occurrence, ...]], window: Window
) -> st.SearchStrategy[tuple[tuple[str, ...], ...]]:
    """Variants the window has (so some match), and made-up ones (most match nothing)."""
    present = sorted({tuple(o.type for o in t) for t in in_window(log, window).values()})
    made_up = st.lists(st.sampled_from([*TYPES, "Unknown"]), min_size=1, max_size=4).map(tuple)
    one = st.sampled_from(present) | made_up if present else made_up
    return st.lists(one, min_size=1, max_size=4).map(tuple)


def _shifted(log: dict[EntityId, tuple[Occurrence, ...]]) -> dict[EntityId, tuple[Occurrence, ...]]:
    return {
        obj: tuple(o.__class__(**{**_fields(o), "at": o.at + _T0}) for o in trace)
        for obj, trace in log.items()
    }


_T0 = int(T0.timestamp()) * 1_000_000


def _columns(log: dict[EntityId, tuple[Occurrence, ...]]) -> Columns:
    packed = {obj: pack(trace, CODES) for obj, trace in log.items()}
    return build(packed, {code: name for name, code in CODES.items()}, ALIASES)


def _fields(o: Occurrence) -> dict[str, object]:
    return {f: getattr(o, f) for f in o.__struct_fields__}
