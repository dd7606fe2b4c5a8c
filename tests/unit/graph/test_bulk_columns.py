"""The bulk path's shortcuts equal the definitions they stand in for."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.postgres.graph_codec import pack, pack_traces
from application.graph.bulk import BulkImport
from application.graph.ports import PreparedTraces
from domain.graph.model import (
    ActivityId,
    EntityRecord,
    RecordIds,
    SourceRef,
    record_id,
    to_micros,
)
from domain.graph.sequence import Occurrence, merge
from domain.graph.traces import NO_ACTOR, TraceBlock, case_ref
from domain.shared.ids import new_tenant_id
from tests.factories.graph import T0

TYPES = ("Open", "Triage", "Close")
RESOURCES = ("ada", "grace")
parts = st.text(min_size=1, max_size=12)  # any characters: ":" and digits included


@settings(max_examples=200)
@given(provider=parts, scope=parts, source_ids=st.lists(parts, max_size=5))
def test_activity_ids_in_bulk_are_the_record_ids(
    provider: str, scope: str, source_ids: list[str]
) -> None:
    tenant = new_tenant_id()

    found = RecordIds(tenant).activity_bytes(provider, scope, source_ids)

    refs = [SourceRef(provider=provider, scope=scope, source_id=s) for s in source_ids]
    assert found == [record_id(tenant, "activity", ref).bytes for ref in refs]


@st.composite
def blocks(draw: st.DrawFn) -> TraceBlock:
    sizes = draw(st.lists(st.integers(0, 6), min_size=1, max_size=4))
    events = sum(sizes)
    column = st.lists(st.integers(0, 0), min_size=events, max_size=events)
    return TraceBlock(
        provider="xes",
        scope="sha256:test",
        object_type="case",
        cases=tuple(
            EntityRecord(ref=case_ref("xes", "sha256:test", f"c{n}"), type="case")
            for n in range(len(sizes))
        ),
        ends=tuple(sum(sizes[: n + 1]) for n in range(len(sizes))),
        first=draw(st.integers(0, 10**6)),
        times=tuple(
            T0 + timedelta(microseconds=draw(st.sampled_from([0, 1, 999_999, 3_600_000_000])))
            for _ in range(events)
        ),  # ties in time are the rule here: the source sequence must decide
        types=TYPES,
        type_of=tuple(draw(st.integers(0, len(TYPES) - 1)) for _ in range(events)),
        resources=RESOURCES,
        actor_of=tuple(draw(st.integers(NO_ACTOR, len(RESOURCES) - 1)) for _ in range(events)),
        attribute_sets=({},),
        attribute_of=tuple(draw(column)),
    )


@settings(max_examples=200)
@given(block=blocks(), codes=st.permutations(range(len(TYPES))))
def test_packed_traces_are_the_sequences_in_their_total_order(
    block: TraceBlock, codes: list[int]
) -> None:
    traces = BulkImport(None, None, new_tenant_id()).prepare(block)  # type: ignore[arg-type]
    assert isinstance(traces, PreparedTraces)
    code_of = dict(zip(TYPES, codes, strict=True))

    packed = pack_traces(traces, code_of)

    expected = []
    for start, end in pairwise((0, *block.ends)):
        occurrences = [
            Occurrence(
                activity_id=ActivityId(UUID(bytes=traces.activity_ids[i])),
                at=to_micros(block.times[i]),
                seq=block.first + i,
                type=TYPES[block.type_of[i]],
                actor_id=traces.actor_ids[block.actor_of[i]]
                if block.actor_of[i] != NO_ACTOR
                else None,
            )
            for i in range(start, end)
        ]
        expected.append(pack(merge((), occurrences), code_of))  # merge: the domain's order
    assert packed == expected
