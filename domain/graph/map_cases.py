"""The cases behind a node or an edge of a process map, and the reference that selects them.

A case is one object the map covers (``process_map.selected``: in the window, of the query's
variants). A node's cases are the objects whose trace holds the activity; an edge's, those
whose trace holds the directly-follows pair. ``occurrences`` says how often: over all cases it
sums to the edge's ``count``, and to the node's ``count`` unless one activity is linked to
several of the objects (the node counts it once, each case once).
"""

from __future__ import annotations

from itertools import pairwise

import msgspec

from domain.graph.errors import InvalidCaseSelector
from domain.graph.model import EntityId
from domain.graph.process_map import MAX_ACTIVITY_NAME, MapQuery, Traces, selected

MAX_CASES = 200


class CaseSelector(msgspec.Struct, frozen=True, kw_only=True):
    """A node (``activity``) or an edge (``source`` then ``target``): exactly one of them."""

    activity: str | None = None
    source: str | None = None
    target: str | None = None

    def __post_init__(self) -> None:
        node = self.activity is not None
        edge = self.source is not None and self.target is not None
        partial = (self.source is None) != (self.target is None)
        named = [n for n in (self.activity, self.source, self.target) if n is not None]
        if node == edge or partial or any(len(n) > MAX_ACTIVITY_NAME for n in named):
            raise InvalidCaseSelector()

    @property
    def pair(self) -> tuple[str, str] | None:
        if self.source is None or self.target is None:
            return None
        return self.source, self.target


class CaseHit(msgspec.Struct, frozen=True, kw_only=True):
    """One case: times are microseconds since the epoch (``model.to_micros``)."""

    id: EntityId
    occurrences: int  # of the node or the edge in its trace
    longest: int | None  # an edge's longest single delay in this trace; None for a node
    first_at: int  # its in-window trace's first and last activity
    last_at: int


class CasePage(msgspec.Struct, frozen=True, kw_only=True):
    total: int  # every matching case, not only the page
    hits: tuple[CaseHit, ...]


def order_key(hit: CaseHit) -> tuple[int, EntityId]:
    """Edges: slowest first (what a bottleneck asks); nodes: most recent first; then by id."""
    return (-(hit.longest if hit.longest is not None else hit.last_at), hit.id)


def cases(traces: Traces, query: MapQuery, selector: CaseSelector, limit: int) -> CasePage:
    """The reference: every covered trace looked at in plain Python."""
    hits = []
    pair = selector.pair
    for obj, trace in selected(traces, query).items():
        if pair is None:
            count, longest = sum(o.type == selector.activity for o in trace), None
        else:
            delays = [b.at - a.at for a, b in pairwise(trace) if (a.type, b.type) == pair]
            count, longest = len(delays), max(delays, default=None)
        if count:
            first, last = trace[0].at, trace[-1].at
            hits.append(CaseHit(id=obj, occurrences=count, longest=longest, first_at=first,
                                last_at=last))  # fmt: skip
    hits.sort(key=order_key)
    return CasePage(total=len(hits), hits=tuple(hits[: max(0, min(limit, MAX_CASES))]))


class ObjectTypeCount(msgspec.Struct, frozen=True, kw_only=True):
    """An object type with activities: its objects (canonical, with any activity) and the
    activities in their sequences (one linked to two objects of the type counts twice)."""

    type: str
    objects: int
    activities: int


def type_order(count: ObjectTypeCount) -> tuple[int, str]:
    return (-count.objects, count.type)
