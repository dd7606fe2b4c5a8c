"""An XES import writes fresh blocks in bulk; the graph is the one the incremental path makes.

Each test imports a log through ``ImportLog`` (bulk whenever a block is fresh) into one tenant,
and ingests the same records through ``IngestGraph`` (record by record) into another, then
compares what is stored, with ids (which derive from the tenant) replaced by references.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings

from adapters.fakes.graph_bulk import FakeBulkRecords
from adapters.importers.xes import XesReader
from adapters.postgres.graph_bulk import PostgresBulkRecords
from application.graph.importing import ImportOptions
from application.graph.writer import IngestSummary
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.graph.errors import ImportInvalidValue
from domain.graph.model import ActivityRecord, EntityId, GraphBatch, Link, SourceRef
from domain.graph.process_map import MapQuery, reference
from tests.factories.event_logs import event_log
from tests.factories.graph import BytesSource
from tests.factories.xes import Attribute, Trace, logs, xes
from tests.integration.graph.conftest import Graph

BLOCK = 4  # events per block: a few blocks per log, so blocks share resources and trace names


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """What each bulk insert or comparison answered, on either adapter."""
    found: list[tuple[str, bool]] = []
    for adapter in (FakeBulkRecords, PostgresBulkRecords):
        for name in ("insert", "stored"):
            method = getattr(adapter, name)

            async def recorded(
                self: Any, *args: Any, method: Any = method, name: str = name
            ) -> bool:
                found.append((name, await method(self, *args)))
                return found[-1][1]

            monkeypatch.setattr(adapter, name, recorded)
    return found


async def _both(graph: Graph, data: bytes) -> tuple[Actor, Scope, IngestSummary, IngestSummary]:
    """Import ``data`` into one tenant; ingest its records, block by block, into another."""
    imported_to, ingested_to = await graph.actor(), await graph.tenant()
    imported = await graph.importer(batch_size=BLOCK).execute(
        imported_to, BytesSource(data), ImportOptions()
    )
    ingested = IngestSummary()
    for batch in _records(data):
        ingested += await graph.ingest().execute(ingested_to, batch)
    return imported_to, ingested_to, imported.written, ingested


def _records(data: bytes) -> list[GraphBatch]:
    reader = XesReader(f"sha256:{hashlib.sha256(data).hexdigest()}", batch_size=BLOCK)
    return [block.batch() for block in [*reader.feed(data), *reader.close()]]


async def _stored(graph: Graph, scope: Scope) -> dict[str, Any]:
    """The tenant's graph with every id replaced by the reference of its record."""
    entities, activities, relationships, sequences = await graph.state(scope)
    ref_of: dict[Any, SourceRef | None] = {None: None}
    ref_of |= {e.id: e.ref for e in entities} | {a.id: a.ref for a in activities}
    async with graph.uow_for(scope) as uow:
        types = await uow.types.all()
    return {
        "entities": {
            e.ref: (e.type, e.name, e.attributes, e.url, ref_of[e.canonical_id]) for e in entities
        },
        "activities": {
            a.ref: (
                a.type,
                a.occurred_at,
                a.source_seq,
                ref_of[a.actor_id],
                a.attributes,
                a.url,
                [(ref_of[o.entity_id], o.qualifier) for o in a.objects],
            )
            for a in activities
        },
        "sequences": {
            ref_of[obj]: [
                (ref_of[o.activity_id], o.at, o.seq, o.type, ref_of[o.actor_id]) for o in trace
            ]
            for obj, trace in sequences.items()
        },
        "relationships": relationships,
        "types": types,
    }


async def _map_is_the_batch_recomputation(graph: Graph, scope: Scope) -> None:
    entities, activities, _, _ = await graph.state(scope)
    query = MapQuery(object_type="case", top=50)
    served = await graph.maps.compute(scope, query)
    types = {EntityId(e.id): e.type for e in entities}
    assert served == reference(activities, types, {}, query)
    assert served.activities == len(activities)


async def _same_graph(graph: Graph, data: bytes) -> tuple[Actor, dict[str, Any]]:
    imported_to, ingested_to, imported, ingested = await _both(graph, data)

    stored = await _stored(graph, imported_to.scope)

    assert stored == await _stored(graph, ingested_to)
    assert imported == ingested
    await _map_is_the_batch_recomputation(graph, imported_to.scope)
    return imported_to, stored


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(traces=logs)
async def test_a_bulk_import_stores_what_the_incremental_path_stores(
    graph: Graph, answers: list[tuple[str, bool]], traces: list[Trace]
) -> None:
    data, blocks = xes(traces), len(_records(xes(traces)))
    unique = len({attributes[0] for attributes, _ in traces}) == len(traces)
    answers.clear()

    actor, stored = await _same_graph(graph, data)

    if unique:  # no trace name repeats: every block in bulk
        assert answers == [("insert", True)] * blocks
    assert ("insert", False) not in answers[:-2]  # then comparisons, or the incremental way
    answers.clear()
    again = await graph.importer(batch_size=BLOCK).execute(
        actor, BytesSource(data), ImportOptions()
    )
    assert (again.written.inserted, again.written.replaced) == (0, 0)
    assert again.written.activities == sum(len(events) for _, events in traces)
    assert await _stored(graph, actor.scope) == stored
    if unique:  # the first block is found stored, and then every block is only compared
        assert answers == [("insert", False)] + [("stored", True)] * blocks


async def test_the_helpdesk_log_goes_in_bulk_and_a_second_time_changes_nothing(
    graph: Graph, answers: list[tuple[str, bool]]
) -> None:
    data = event_log("helpdesk.xes.gz").read_bytes()  # 21,348 events: blocks of 20,000 and more
    actor = await graph.actor()
    first = await graph.importer().execute(actor, BytesSource(data, chunk=1 << 16), ImportOptions())

    again = await graph.importer().execute(actor, BytesSource(data, chunk=1 << 16), ImportOptions())

    assert answers == [("insert", True)] * 2 + [("insert", False)] + [("stored", True)] * 2
    assert first.written.inserted == first.events == 21_348
    assert again.written == msgspec.structs.replace(first.written, inserted=0, entities_new=0)
    await _map_is_the_batch_recomputation(graph, actor.scope)


async def test_a_record_stored_already_sends_the_import_the_incremental_way(
    graph: Graph, answers: list[tuple[str, bool]]
) -> None:
    traces: list[Trace] = [
        ([("concept:name", "string", f"case {n}")], [_event("A", "2011-10-01T10:00:00Z")] * 3)
        for n in range(4)
    ]
    data = xes(traces)
    scope = f"sha256:{hashlib.sha256(data).hexdigest()}"
    second = _records(data)[1]  # the traces "case 2" and "case 3", events 6 to 11
    earlier = ActivityRecord(
        ref=SourceRef(provider="xes", scope=scope, source_id="event:7"),
        type="Something else",
        occurred_at=datetime(2020, 1, 1, tzinfo=UTC),
        links=(Link(object=second.entities[0].ref),),
    )  # an earlier delivery of an activity of the second block, under another type
    imported_to, ingested_to = await graph.actor(), await graph.tenant()
    for tenant in (imported_to.scope, ingested_to):
        await graph.ingest().execute(tenant, GraphBatch(entities=second.entities))
        await graph.ingest().execute(tenant, GraphBatch(activities=(earlier,)))
    for batch in _records(data):
        await graph.ingest().execute(ingested_to, batch)

    summary = await graph.importer(batch_size=BLOCK).execute(
        imported_to, BytesSource(data), ImportOptions()
    )

    assert answers == [("insert", True), ("insert", False), ("stored", False)]
    assert (summary.written.inserted, summary.written.replaced) == (11, 1)
    assert await _stored(graph, imported_to.scope) == await _stored(graph, ingested_to)
    await _map_is_the_batch_recomputation(graph, imported_to.scope)


async def test_late_activities_land_in_sequences_written_in_bulk(graph: Graph) -> None:
    traces: list[Trace] = [
        ([("concept:name", "string", f"case {n}")],
         [_event("A", "2011-10-01T10:00:00Z"), _event("B", "2011-10-01T12:00:00Z")])
        for n in range(3)
    ]  # fmt: skip
    data = xes(traces)
    scope = f"sha256:{hashlib.sha256(data).hexdigest()}"
    case = SourceRef(provider="xes", scope=scope, source_id="trace:case 1")
    late = GraphBatch(
        activities=(
            ActivityRecord(
                ref=SourceRef(provider="api", scope="late", source_id="between"),
                type="Between",
                occurred_at=datetime(2011, 10, 1, 11, tzinfo=UTC),
                links=(Link(object=case),),
            ),
            ActivityRecord(  # an imported event delivered again, an hour before all others
                ref=SourceRef(provider="xes", scope=scope, source_id="event:3"),
                type="B",
                occurred_at=datetime(2011, 10, 1, 9, tzinfo=UTC),
                source_seq=3,
                links=(Link(object=case),),
            ),
        )
    )
    imported_to, ingested_to, _, _ = await _both(graph, data)

    for tenant in (imported_to.scope, ingested_to):
        await graph.ingest().execute(tenant, late)

    stored = await _stored(graph, imported_to.scope)
    assert stored == await _stored(graph, ingested_to)
    assert [kind for _, _, _, kind, _ in stored["sequences"][case]] == ["B", "A", "Between"]
    await _map_is_the_batch_recomputation(graph, imported_to.scope)


@pytest.mark.parametrize(
    ("spelled", "utc"),
    [
        ("0001-01-01T00:00:00.000001Z", datetime(1, 1, 1, 0, 0, 0, 1, UTC)),
        ("9999-12-31T23:59:59.999998+00:00", datetime(9999, 12, 31, 23, 59, 59, 999998, UTC)),
        ("1969-12-31T23:59:59.999999Z", datetime(1969, 12, 31, 23, 59, 59, 999999, UTC)),
        ("2011-10-01T00:38:44.546-05:00", datetime(2011, 10, 1, 5, 38, 44, 546000, UTC)),
    ],
)
async def test_times_survive_the_bulk_path_exactly(
    graph: Graph, spelled: str, utc: datetime
) -> None:
    data = xes([([("concept:name", "string", "c")], [_event("A", spelled)])])

    _, stored = await _same_graph(graph, data)

    ((_, occurred_at, *_),) = stored["activities"].values()
    assert occurred_at == utc
    assert occurred_at.utcoffset() is not None


@pytest.mark.parametrize(
    "spelled",
    ["0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-01:00", "0001-01-01T00:00:00Z",
     "9999-12-31T23:59:59.999999"],
)  # fmt: skip
async def test_a_time_at_or_beyond_the_ends_of_time_is_refused(graph: Graph, spelled: str) -> None:
    data = xes([([("concept:name", "string", "c")], [_event("A", spelled)])])
    actor = await graph.actor()

    with pytest.raises(ImportInvalidValue) as caught:
        await graph.importer().execute(actor, BytesSource(data), ImportOptions())

    assert caught.value.details["element"] == "time:timestamp"
    assert (await graph.state(actor.scope))[1] == []


def _event(kind: str, time: str) -> list[Attribute]:
    return [("concept:name", "string", kind), ("time:timestamp", "date", time)]
