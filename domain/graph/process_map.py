"""Process maps, and the reference computation every faster path must equal.

A process map of an object type over a window ``[start, end)`` looks at each object's
activities in the window, in the total order of ``sequence``. Windowing commutes with the
directly-follows relation: within one object, any activity ordered between two activities in
the window is itself in the window, so the window's pairs are exactly the global pairs with
both ends inside it. Durations are ``time(later) - time(earlier)``.

``compute`` is deliberately plain Python: it is the definition. ``reference`` builds the traces
from raw activities with a batch sort, and tests hold every maintained path to it.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from itertools import pairwise

import msgspec

from domain.graph.durations import DurationStats, duration_stats, median_seconds
from domain.graph.errors import InvalidVariant, InvalidWindow
from domain.graph.model import Activity, EntityId, to_micros
from domain.graph.sequence import Occurrence
from domain.graph.times import within_range

MAX_TOP = 1000
MAX_VARIANTS = 20  # variants one query may filter by
MAX_VARIANT_LENGTH = 500  # activities in one of them
MAX_ACTIVITY_NAME = 200  # characters in each activity name


class Window(msgspec.Struct, frozen=True, kw_only=True):
    start: datetime | None = None
    end: datetime | None = None

    def __post_init__(self) -> None:
        for moment in (self.start, self.end):
            if moment is not None and not within_range(moment):
                raise InvalidWindow()
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise InvalidWindow()

    def micros(self) -> tuple[int | None, int | None]:
        return (
            to_micros(self.start) if self.start is not None else None,
            to_micros(self.end) if self.end is not None else None,
        )


class MapQuery(msgspec.Struct, frozen=True, kw_only=True):
    """``variants``, when given, keeps only the objects whose in-window activity sequence is
    exactly one of them: every figure of the map then describes those objects alone."""

    object_type: str
    window: Window = Window()
    top: int = 10
    variants: tuple[tuple[str, ...], ...] = ()

    def __post_init__(self) -> None:
        if len(self.variants) > MAX_VARIANTS or any(
            not 0 < len(v) <= MAX_VARIANT_LENGTH or any(len(a) > MAX_ACTIVITY_NAME for a in v)
            for v in self.variants
        ):
            raise InvalidVariant()


class Node(msgspec.Struct, frozen=True, kw_only=True):
    activity: str
    count: int  # distinct activities of this type


class Edge(msgspec.Struct, frozen=True, kw_only=True):
    source: str
    target: str
    count: int
    duration: DurationStats


class Endpoint(msgspec.Struct, frozen=True, kw_only=True):
    activity: str
    count: int


class Variant(msgspec.Struct, frozen=True, kw_only=True):
    activities: tuple[str, ...]
    count: int
    share: float


class Handoff(msgspec.Struct, frozen=True, kw_only=True):
    source: EntityId
    target: EntityId
    count: int
    median_delay: float  # seconds


class ProcessMap(msgspec.Struct, frozen=True, kw_only=True):
    """Lists are in a fixed order: nodes, edges, starts and ends by name; variants by count
    then sequence; handoffs by count then ids; bottlenecks by total time then names."""

    object_type: str
    objects: int
    activities: int
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    starts: tuple[Endpoint, ...]
    ends: tuple[Endpoint, ...]
    variant_count: int
    variants: tuple[Variant, ...]
    handoffs: tuple[Handoff, ...]
    bottlenecks: tuple[Edge, ...]


Traces = Mapping[EntityId, Sequence[Occurrence]]


def build_traces(
    activities: Iterable[Activity],
    object_types: Mapping[EntityId, str],
    canonical: Mapping[EntityId, EntityId],
    object_type: str,
) -> dict[EntityId, list[Occurrence]]:
    """Batch: each canonical object of the type, its distinct activities sorted in total order."""
    seen: dict[EntityId, dict[object, Occurrence]] = defaultdict(dict)
    for activity in activities:
        occurrence = Occurrence(
            activity_id=activity.id,
            at=to_micros(activity.occurred_at),
            seq=activity.source_seq,
            type=activity.type,
            actor_id=activity.actor_id,
        )
        for link in activity.objects:
            if object_types.get(link.entity_id) == object_type:
                owner = canonical.get(link.entity_id, link.entity_id)
                seen[owner][activity.id] = occurrence
    # Spelled out rather than shared with ``sequence``, so the reference checks the order too.
    return {
        obj: sorted(by_id.values(), key=lambda o: (o.at, o.seq, o.activity_id))
        for obj, by_id in seen.items()
    }


def reference(
    activities: Iterable[Activity],
    object_types: Mapping[EntityId, str],
    canonical: Mapping[EntityId, EntityId],
    query: MapQuery,
) -> ProcessMap:
    traces = build_traces(activities, object_types, canonical, query.object_type)
    return compute(traces, query, canonical)


def in_window(traces: Traces, window: Window) -> dict[EntityId, list[Occurrence]]:
    start, end = window.micros()
    kept = {
        obj: [o for o in trace if (start is None or o.at >= start) and (end is None or o.at < end)]
        for obj, trace in traces.items()
    }
    return {obj: trace for obj, trace in kept.items() if trace}


def selected(traces: Traces, query: MapQuery) -> dict[EntityId, list[Occurrence]]:
    """The in-window traces of the objects the query covers: all, or those of its variants."""
    window = in_window(traces, query.window)
    if not query.variants:
        return window
    wanted = set(query.variants)
    return {obj: t for obj, t in window.items() if tuple(o.type for o in t) in wanted}


def compute(
    traces: Traces, query: MapQuery, canonical: Mapping[EntityId, EntityId] | None = None
) -> ProcessMap:
    """The process map of ordered traces; actors are mapped through ``canonical``."""
    window = selected(traces, query)
    alias = canonical or {}
    nodes: dict[str, set[object]] = defaultdict(set)
    edges: dict[tuple[str, str], list[int]] = defaultdict(list)
    handoffs: dict[tuple[EntityId, EntityId], list[int]] = defaultdict(list)
    starts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    variants: Counter[tuple[str, ...]] = Counter()
    for trace in window.values():
        starts[trace[0].type] += 1
        ends[trace[-1].type] += 1
        variants[tuple(o.type for o in trace)] += 1
        for occurrence in trace:
            nodes[occurrence.type].add(occurrence.activity_id)
        for earlier, later in pairwise(trace):
            delay = later.at - earlier.at
            edges[(earlier.type, later.type)].append(delay)
            if earlier.actor_id is not None and later.actor_id is not None:
                giver = alias.get(earlier.actor_id, earlier.actor_id)
                taker = alias.get(later.actor_id, later.actor_id)
                if giver != taker:
                    handoffs[(giver, taker)].append(delay)
    return assemble(
        query,
        objects=len(window),
        activities=len(set().union(*nodes.values())) if nodes else 0,
        nodes={name: len(ids) for name, ids in nodes.items()},
        edges={pair: (len(delays), _stats(delays)) for pair, delays in edges.items()},
        starts=starts,
        ends=ends,
        variants=variants,
        handoffs={pair: _handoff(delays) for pair, delays in handoffs.items()},
    )


def _stats(delays: list[int]) -> DurationStats:
    ordered = sorted(delays)
    return duration_stats(len(ordered), sum(ordered), ordered.__getitem__)


def _handoff(delays: list[int]) -> tuple[int, float]:
    ordered = sorted(delays)
    return len(ordered), median_seconds(len(ordered), ordered.__getitem__)


def assemble(
    query: MapQuery,
    *,
    objects: int,
    activities: int,
    nodes: Mapping[str, int],
    edges: Mapping[tuple[str, str], tuple[int, DurationStats]],
    starts: Mapping[str, int],
    ends: Mapping[str, int],
    variants: Mapping[tuple[str, ...], int],
    handoffs: Mapping[tuple[EntityId, EntityId], tuple[int, float]],
    variant_count: int | None = None,
) -> ProcessMap:
    """Order and truncate the parts: shared by every path, so they cannot disagree on it.

    ``variants`` and ``handoffs`` may be limited to the contenders for the top (every entry
    whose count can reach it); ``variant_count`` then says how many variants there are.
    """
    edge_list = tuple(
        Edge(source=s, target=t, count=edges[(s, t)][0], duration=edges[(s, t)][1])
        for s, t in sorted(edges)
    )
    top = max(0, min(query.top, MAX_TOP))
    ranked_variants = sorted(variants.items(), key=lambda item: (-item[1], item[0]))[:top]
    ranked_handoffs = sorted(handoffs.items(), key=lambda item: (-item[1][0], item[0]))[:top]
    return ProcessMap(
        object_type=query.object_type,
        objects=objects,
        activities=activities,
        nodes=tuple(Node(activity=name, count=nodes[name]) for name in sorted(nodes)),
        edges=edge_list,
        starts=tuple(Endpoint(activity=n, count=starts[n]) for n in sorted(starts)),
        ends=tuple(Endpoint(activity=n, count=ends[n]) for n in sorted(ends)),
        variant_count=len(variants) if variant_count is None else variant_count,
        variants=tuple(
            Variant(activities=seq, count=count, share=count / objects)
            for seq, count in ranked_variants
        ),
        handoffs=tuple(
            Handoff(source=giver, target=taker, count=count, median_delay=delay)
            for (giver, taker), (count, delay) in ranked_handoffs
        ),
        bottlenecks=tuple(
            sorted(edge_list, key=lambda e: (-e.duration.total, e.source, e.target))[:top]
        ),
    )


# The top a map is computed at, so that every smaller top is a slice of it. Not MAX_TOP: the
# ranked lists name every entry tied at the cut, and on a log of mostly unique variants a cut
# at 1,000 would name hundreds of thousands of them.
WIDE_TOP = 100


def widest(query: MapQuery) -> MapQuery:
    """The same map computed at ``WIDE_TOP`` at least: any ``top`` up to it is cut from it."""
    return msgspec.structs.replace(query, top=max(query.top, WIDE_TOP))


def narrowed(full: ProcessMap, top: int) -> ProcessMap:
    """The map of ``top`` cut from the map of ``widest(query)`` (``top`` no larger): the ranked
    lists are in their final order already, and the rest does not depend on ``top``. A new
    ``top`` over a large log is then a slice, not a second pass over millions of occurrences."""
    top = max(0, min(top, MAX_TOP))
    return msgspec.structs.replace(
        full,
        variants=full.variants[:top],
        handoffs=full.handoffs[:top],
        bottlenecks=full.bottlenecks[:top],
    )
