"""Whole traces of a case log (XES), column by column, as a reader hands them over.

Each trace is one object of ``object_type``; each event is an activity of exactly that object,
done by at most one resource. Columns are dictionary-encoded (types, resources and attribute
sets are stored once per block and referred to by index), so a block of 20,000 events costs a
few lists, not 20,000 records. ``batch`` spells the same block out record by record, for the
incremental path; a bulk import of a scope with nothing stored yet writes the columns directly,
and both paths name every record with the references defined here.
"""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.graph.content import AttributeValue
from domain.graph.model import ActivityRecord, EntityRecord, GraphBatch, Link, SourceRef

RESOURCE_TYPE = "resource"
NO_ACTOR = -1


def case_ref(provider: str, scope: str, name: str) -> SourceRef:
    return SourceRef(provider=provider, scope=scope, source_id=f"trace:{name}")


def resource_ref(provider: str, scope: str, name: str) -> SourceRef:
    return SourceRef(provider=provider, scope=scope, source_id=f"resource:{name}")


class TraceBlock(msgspec.Struct, frozen=True, kw_only=True):
    provider: str
    scope: str
    object_type: str
    cases: tuple[EntityRecord, ...]  # one per trace, in file order (a name may repeat)
    ends: tuple[int, ...]  # trace i holds the events ends[i - 1] (0 for the first) to ends[i]
    first: int  # position in the file of the block's first event: its source sequence
    times: tuple[datetime, ...]  # per event, with a time zone
    types: tuple[str, ...]  # distinct activity types
    type_of: tuple[int, ...]  # per event, into ``types``
    resources: tuple[str, ...]  # distinct resource names
    actor_of: tuple[int, ...]  # per event, into ``resources``, or NO_ACTOR
    attribute_sets: tuple[dict[str, AttributeValue], ...]  # distinct; never mutate them
    attribute_of: tuple[int, ...]  # per event, into ``attribute_sets``

    @property
    def events(self) -> int:
        return len(self.times)

    def source_ids(self) -> list[str]:
        """The source id of each event: its position in the file."""
        return [f"event:{n}" for n in range(self.first, self.first + self.events)]

    def resource_records(self) -> list[EntityRecord]:
        return [
            EntityRecord(
                ref=resource_ref(self.provider, self.scope, name), type=RESOURCE_TYPE, name=name
            )
            for name in self.resources
        ]

    def entity_records(self) -> tuple[EntityRecord, ...]:
        entities = {case.ref: case for case in self.cases}  # a repeated trace: the last wins
        entities.update((r.ref, r) for r in self.resource_records())
        return tuple(entities.values())

    def batch(self) -> GraphBatch:
        """The same block as records: what the incremental path ingests."""
        actors = [r.ref for r in self.resource_records()]
        source_ids, activities, start = self.source_ids(), [], 0
        for case, end in zip(self.cases, self.ends, strict=True):
            links = (Link(object=case.ref),)
            for i in range(start, end):
                actor = self.actor_of[i]
                activities.append(
                    ActivityRecord(
                        ref=SourceRef(
                            provider=self.provider, scope=self.scope, source_id=source_ids[i]
                        ),
                        type=self.types[self.type_of[i]],
                        occurred_at=self.times[i],
                        source_seq=self.first + i,
                        actor=actors[actor] if actor != NO_ACTOR else None,
                        attributes=dict(self.attribute_sets[self.attribute_of[i]]),
                        links=links,
                    )
                )
            start = end
        return GraphBatch(entities=self.entity_records(), activities=tuple(activities))
