"""The bulk path of an import: blocks of traces, written or compared whole.

An import's records all carry the file's digest as their scope, so a first import of a file
can only create records: no comparison with stored versions, no incremental merge of
sequences. Each block is written with plain inserts (``BulkRecords.insert``). If any record
turns out to be stored already, that block changes nothing and the import goes on comparing:
a block whose activities are all stored exactly as they are (the file was imported before)
only has its entities upserted; the first block that differs, and every block after it, take
the incremental path. The stored graph is the same whichever way a block goes: a block written
in bulk holds only new records, which is what the incremental path would have made of them,
and a block found stored unchanged is one the incremental path would have left as it was.
"""

from __future__ import annotations

import enum
from itertools import pairwise

from application.graph.ports import GraphUnitOfWork, PreparedTraces
from application.graph.records import check_ref, check_type, stored_entity
from application.graph.writer import GraphWriter, IngestSummary
from domain.graph.catalog import TypeDeclaration, observed_types
from domain.graph.content import metadata_only
from domain.graph.model import (
    ActivityRecord,
    Entity,
    EntityId,
    GraphBatch,
    RecordIds,
    SourceRef,
    to_micros,
)
from domain.graph.traces import TraceBlock
from domain.shared.ids import TenantId

Parsed = GraphBatch | TraceBlock
Prepared = GraphBatch | TraceBlock | PreparedTraces


class _Mode(enum.Enum):
    INSERT = "insert"  # every block so far was new
    COMPARE = "compare"  # a block was stored already: compare before anything else
    INCREMENTAL = "incremental"  # a block differed: the rest goes record by record


class BulkImport:
    """``prepare`` runs in the parser's thread, ``write`` on the event loop, in block order."""

    def __init__(self, uow: GraphUnitOfWork, writer: GraphWriter, tenant_id: TenantId) -> None:
        self._uow, self._writer = uow, writer
        self._ids = RecordIds(tenant_id)
        self._written: set[EntityId] = set()  # resources earlier blocks wrote
        # ``prepare`` reads the mode from the parser's thread: a stale one only prepares a
        # block that ``write`` then sends the incremental way.
        self._mode = _Mode.INSERT

    def prepare(self, item: Parsed) -> Prepared:
        if not isinstance(item, TraceBlock) or self._mode is _Mode.INCREMENTAL:
            return item
        return self._prepare(item) or item

    async def write(self, item: Prepared) -> IngestSummary:
        if isinstance(item, PreparedTraces):
            written = await self._bulk(item) if self._mode is not _Mode.INCREMENTAL else None
            if written is not None:
                return written
            item = item.block
        if isinstance(item, TraceBlock):
            self._mode = _Mode.INCREMENTAL
            item = item.batch()
        return await self._writer.write(item)

    async def _bulk(self, traces: PreparedTraces) -> IngestSummary | None:
        revision = await self._writer.begin()
        await self._uow.types.declare(_declarations(traces))
        self._writer.touch({traces.block.object_type})
        if self._mode is _Mode.INSERT:
            if await self._uow.bulk.insert(traces, revision):
                return _summary(traces, inserted=True)
            self._mode = _Mode.COMPARE
        if await self._uow.bulk.stored(traces):
            entities = GraphBatch(entities=traces.block.entity_records())
            return await self._writer.write(entities) + _summary(traces, inserted=False)
        self._mode = _Mode.INCREMENTAL
        return None

    def _prepare(self, block: TraceBlock) -> PreparedTraces | None:
        """The block's ids and times, or None if it cannot be written in bulk (a trace name
        repeats: its events join an earlier trace's object)."""
        entities, dropped = self._entities(block)
        case_ids = tuple(entity.id for entity in entities[: len(block.cases)])
        if len(set(case_ids)) != len(case_ids):
            return None
        for name in block.types:
            check_type(name)
        actor_ids = tuple(self._ids.entity(e.ref) for e in block.resource_records())
        self._written.update(actor_ids)
        source_ids = block.source_ids()
        micros = [to_micros(moment) for moment in block.times]
        return PreparedTraces(
            block=block,
            entities=entities,
            case_ids=case_ids,
            actor_ids=actor_ids,
            activity_ids=self._ids.activity_bytes(block.provider, block.scope, source_ids),
            source_ids=source_ids,
            micros=micros,
            attribute_sets=tuple(metadata_only(s)[0] for s in block.attribute_sets),
            order=_order(micros, block.ends),
            dropped_attributes=dropped,
        )

    def _entities(self, block: TraceBlock) -> tuple[tuple[Entity, ...], int]:
        """The block's cases, then the resources no earlier block wrote, checked and stripped
        of content as the incremental path does it; and how many attributes were dropped."""
        fresh = [
            r for r in block.resource_records() if self._ids.entity(r.ref) not in self._written
        ]
        entities, dropped = [], 0
        for record in (*block.cases, *fresh):
            check_ref(record.ref)
            check_type(record.type)
            entity, lost = stored_entity(self._ids.entity(record.ref), record, None)
            entities.append(entity)
            dropped += lost
        return tuple(entities), dropped


def _order(micros: list[int], ends: tuple[int, ...]) -> list[int]:
    """Each trace's events in sequence order, ``(time, source sequence, id)``. An event's
    source sequence is its position in the file, unique and rising with its index, so a
    stable sort by time alone gives that order (and the id never decides)."""
    order: list[int] = []
    for start, end in pairwise((0, *ends)):
        order.extend(sorted(range(start, end), key=micros.__getitem__))
    return order


def _declarations(traces: PreparedTraces) -> list[TypeDeclaration]:
    """What ``observed_types`` makes of the block: one activity per (type, attribute set)."""
    block = traces.block
    shapes = sorted(set(zip(block.type_of, block.attribute_of, strict=True)))
    ref = SourceRef(provider=block.provider, scope=block.scope, source_id="shape")
    examples = tuple(
        ActivityRecord(
            ref=ref,
            type=block.types[kind],
            occurred_at=block.times[0],
            attributes=block.attribute_sets[attributes],
        )
        for kind, attributes in shapes
    )
    entities = (*block.cases, *block.resource_records())
    return observed_types(GraphBatch(entities=entities, activities=examples))


def _summary(traces: PreparedTraces, *, inserted: bool) -> IngestSummary:
    """What the incremental path reports for the block's activities (and, if it was
    inserted, for its entities: a block found stored has them upserted by the writer)."""
    block = traces.block
    dropped = [
        len(s) - len(kept)
        for s, kept in zip(block.attribute_sets, traces.attribute_sets, strict=True)
    ]
    lost = sum(dropped[i] for i in block.attribute_of) if any(dropped) else 0
    return IngestSummary(
        entities=len(block.cases) + len(block.resources) if inserted else 0,
        activities=block.events,
        inserted=block.events if inserted else 0,
        dropped_attributes=lost + (traces.dropped_attributes if inserted else 0),
        entities_new=len(traces.entities) if inserted else 0,
    )
