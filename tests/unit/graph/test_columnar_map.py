"""The columnar (numpy) process map equals the reference computation to the last bit."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.maps.columns import build
from adapters.maps.compute import compute as columnar
from adapters.postgres.graph_codec import pack
from domain.graph.model import ActivityId, EntityId
from domain.graph.process_map import MapQuery, Window, compute
from domain.graph.sequence import Occurrence, merge
from tests.factories.graph import T0, TYPES

ACTORS = [EntityId(UUID(int=n + 1)) for n in range(4)]
ALIASES = {ACTORS[3]: ACTORS[0]}  # two records of one person
CODES = {name: n * 3 + 1 for n, name in enumerate(TYPES)}  # codes need not be dense


@st.composite
def traces(draw: st.DrawFn) -> dict[EntityId, tuple[Occurrence, ...]]:
    pool = [
        Occurrence(
            activity_id=ActivityId(UUID(int=(n + 1) << 64 | n)),
            at=draw(st.integers(0, 3_600)) * 1_000_000 + draw(st.sampled_from([0, 1, 999_999])),
            seq=draw(st.integers(0, 2)),
            type=draw(st.sampled_from(TYPES)),
            actor_id=draw(st.none() | st.sampled_from(ACTORS)),
        )
        for n in range(draw(st.integers(0, 40)))
    ]
    objects = draw(st.integers(1, 6))
    result: dict[EntityId, tuple[Occurrence, ...]] = {}
    for index in range(objects):
        chosen = draw(st.lists(st.sampled_from(pool), max_size=15)) if pool else []
        result[EntityId(UUID(int=1000 + index))] = merge((), chosen)
    return result


windows = st.builds(
    lambda a, b: Window(
        start=T0 + timedelta(minutes=a) if a is not None else None,
        end=T0 + timedelta(minutes=a or 0, seconds=b) if b is not None else None,
    ),
    st.none() | st.integers(0, 60),
    st.none() | st.integers(1, 3_600),
)


@settings(max_examples=300, deadline=None)
@given(log=traces(), window=windows, top=st.integers(0, 5))
def test_columns_compute_the_reference_map(
    log: dict[EntityId, tuple[Occurrence, ...]], window: Window, top: int
) -> None:
    shifted = {
        obj: tuple(o.__class__(**{**_fields(o), "at": o.at + _T0}) for o in trace)
        for obj, trace in log.items()
    }
    query = MapQuery(object_type="case", window=window, top=top)
    columns = build(
        (pack(trace, CODES) for trace in shifted.values()),
        {code: name for name, code in CODES.items()},
        ALIASES,
    )

    served = columnar(columns, query)

    assert served == compute(shifted, query, ALIASES)


_T0 = int(T0.timestamp()) * 1_000_000


def _fields(o: Occurrence) -> dict[str, object]:
    return {f: getattr(o, f) for f in o.__struct_fields__}
