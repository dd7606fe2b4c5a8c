"""The bulk path of an import: trace blocks of a scope nothing of which is stored yet.

An import's records all carry the file's digest as their scope, so a first import of a file
can only create records: no comparison with stored versions, no incremental merge of
sequences. Each block is written with plain inserts (``FreshRecords``); if any record turns out
to be stored already (the file was imported before, or a trace name repeats), that block
changes nothing and it, and every block after it, take the incremental path instead. The
stored graph is the same either way: a block written in bulk holds only new records, which is
exactly what the incremental path would have made of them.
"""

from __future__ import annotations

from itertools import pairwise

from application.graph.ports import FreshTraces, GraphUnitOfWork
from application.graph.writer import (
    GraphWriter,
    IngestSummary,
    check_ref,
    check_type,
    stored_entity,
)
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
Prepared = GraphBatch | TraceBlock | FreshTraces


class BulkImport:
    """``prepare`` runs in the parser's thread, ``write`` on the event loop, in block order."""

    def __init__(self, uow: GraphUnitOfWork, writer: GraphWriter, tenant_id: TenantId) -> None:
        self._uow, self._writer = uow, writer
        self._ids = RecordIds(tenant_id)
        self._written: set[EntityId] = set()  # resources earlier blocks wrote
        # Until a block finds a record stored already. ``prepare`` reads it from the parser's
        # thread: a stale True only prepares a block that ``write`` sends the incremental way.
        self._fresh = True

    def prepare(self, item: Parsed) -> Prepared:
        if not isinstance(item, TraceBlock) or not self._fresh:
            return item
        return self._prepare(item) or item

    async def write(self, item: Prepared) -> IngestSummary:
        if isinstance(item, FreshTraces):
            if self._fresh and await self._fresh_block(item):
                return _summary(item)
            item = item.block
        if isinstance(item, TraceBlock):
            self._fresh = False
            item = item.batch()
        return await self._writer.write(item)

    async def _fresh_block(self, traces: FreshTraces) -> bool:
        revision = await self._writer.begin()
        await self._uow.types.declare(_declarations(traces))
        self._fresh = await self._uow.fresh.insert(traces, revision)
        return self._fresh

    def _prepare(self, block: TraceBlock) -> FreshTraces | None:
        """The block's ids and times, or None if it cannot be written in bulk (a trace name
        repeats: its events join an earlier trace's object)."""
        entities = self._entities(block)
        case_ids = tuple(entity.id for entity in entities[: len(block.cases)])
        if len(set(case_ids)) != len(case_ids):
            return None
        for name in block.types:
            check_type(name)
        actor_ids = tuple(self._ids.entity(e.ref) for e in block.resource_records())
        self._written.update(actor_ids)
        source_ids = block.source_ids()
        micros = [to_micros(moment) for moment in block.times]
        return FreshTraces(
            block=block,
            entities=entities,
            case_ids=case_ids,
            actor_ids=actor_ids,
            activity_ids=self._ids.activity_bytes(block.provider, block.scope, source_ids),
            source_ids=source_ids,
            micros=micros,
            attribute_sets=tuple(metadata_only(s)[0] for s in block.attribute_sets),
            order=_order(micros, block.ends),
        )

    def _entities(self, block: TraceBlock) -> tuple[Entity, ...]:
        """The block's cases, then the resources no earlier block wrote, checked as the
        incremental path checks them."""
        fresh = [
            r for r in block.resource_records() if self._ids.entity(r.ref) not in self._written
        ]
        entities = []
        for record in (*block.cases, *fresh):
            check_ref(record.ref)
            check_type(record.type)
            entities.append(stored_entity(self._ids.entity(record.ref), record, None))
        return tuple(entities)


def _order(micros: list[int], ends: tuple[int, ...]) -> list[int]:
    """Each trace's events in sequence order, ``(time, source sequence, id)``. An event's
    source sequence is its position in the file, unique and rising with its index, so a
    stable sort by time alone gives that order (and the id never decides)."""
    order: list[int] = []
    for start, end in pairwise((0, *ends)):
        order.extend(sorted(range(start, end), key=micros.__getitem__))
    return order


def _declarations(traces: FreshTraces) -> list[TypeDeclaration]:
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


def _summary(traces: FreshTraces) -> IngestSummary:
    block = traces.block
    dropped = [
        len(s) - len(kept)
        for s, kept in zip(block.attribute_sets, traces.attribute_sets, strict=True)
    ]
    return IngestSummary(
        entities=len(block.cases) + len(block.resources),
        activities=block.events,
        inserted=block.events,
        dropped_attributes=sum(dropped[i] for i in block.attribute_of) if any(dropped) else 0,
    )
