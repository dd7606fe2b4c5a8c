"""Each object's activities in one deterministic total order, maintained as activities arrive.

The total order of an object's activities is ``(time, source sequence, activity id)``: time
first; the source's own sequence number (an event's position in an imported file, a provider's
ordering) breaks ties in time; the activity id breaks whatever is left. The activity id is a
fingerprint of the source reference ``(provider, scope, source id)`` (``model.record_id``), so
the order is a function of the activities alone: never of delivery order, batch boundaries or
duplicates. That is what lets an incrementally maintained sequence equal a batch sort.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from uuid import UUID

import msgspec

from domain.graph.model import ActivityId, EntityId


class Occurrence(msgspec.Struct, frozen=True, kw_only=True):
    """One activity as it appears in one object's sequence: what a process map needs of it."""

    activity_id: ActivityId
    at: int  # microseconds since the epoch
    seq: int
    type: str
    actor_id: EntityId | None


def order_key(occurrence: Occurrence) -> tuple[int, int, UUID]:
    return (occurrence.at, occurrence.seq, occurrence.activity_id)


def merge(
    existing: Sequence[Occurrence],
    arriving: Iterable[Occurrence],
    removed: Collection[ActivityId] = (),
) -> tuple[Occurrence, ...]:
    """The object's sequence after ``arriving`` occurrences are inserted (or replace the one
    with the same activity id) and ``removed`` activities leave it.

    Arrivals may be in any time order. ``existing`` is already ordered, so the sort is close to
    linear (timsort merges the sorted runs).
    """
    by_id = {o.activity_id: o for o in existing if o.activity_id not in removed}
    for occurrence in arriving:
        by_id[occurrence.activity_id] = occurrence
    return tuple(sorted(by_id.values(), key=order_key))
