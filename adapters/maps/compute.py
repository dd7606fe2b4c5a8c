"""The process map over columns: the reference's definition, vectorised with numpy.

Every figure is first an exact integer (counts, microsecond sums, chosen order statistics);
``domain.graph.durations`` turns them into seconds and ``process_map.assemble`` orders and
truncates, exactly as for the reference. Variants and handoffs are ranked by count first, so
only the candidates that can reach the top are named and given a median.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

import numpy as np

from adapters.maps.columns import Columns, Ints
from adapters.maps.selection import select
from domain.graph.durations import DurationStats, duration_stats, median_seconds
from domain.graph.model import EntityId
from domain.graph.process_map import MAX_TOP, MapQuery, ProcessMap, assemble


def compute(columns: Columns, query: MapQuery) -> ProcessMap:
    chosen = select(columns, query)
    kind, heads, tails, inside, first = (
        chosen.kind,
        chosen.heads,
        chosen.tails,
        chosen.inside,
        chosen.first,
    )
    names, top = columns.type_names, max(0, min(query.top, MAX_TOP))
    delay = (chosen.at[1:] - chosen.at[:-1])[inside]
    giver, taker = chosen.actor[:-1][inside], chosen.actor[1:][inside]
    variants, variant_count = _variants(kind, heads, tails, names, top)
    return assemble(
        query,
        objects=len(heads),
        activities=int(first.sum()),
        nodes=_tally(kind[first], names),
        edges=_edges(kind[:-1][inside], kind[1:][inside], delay, names),
        starts=_tally(kind[heads], names),
        ends=_tally(kind[tails], names),
        variants=variants,
        variant_count=variant_count,
        handoffs=_handoffs(giver, taker, delay, columns.actors, top),
    )


class _Smallest:
    """The i-th smallest delay of one group in the (key, delay)-sorted delays."""

    def __init__(self, ordered: Ints, start: int) -> None:
        self._ordered, self._start = ordered, start

    def __call__(self, index: int) -> int:
        return int(self._ordered[self._start + index])


def _tally(codes: Ints, names: Mapping[int, str]) -> dict[str, int]:
    counts = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    return {names[int(c)]: int(counts[c]) for c in np.nonzero(counts)[0].tolist()}


def _groups(keys: Ints, delay: Ints) -> tuple[Ints, Ints, Ints, Ints]:
    """Sort by (key, delay); return sorted delays, and each group's key, start and size."""
    if not len(keys):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, empty
    span = int(delay.max()) + 1
    if int(keys.max()) < np.iinfo(np.int64).max // span:  # one sort on a combined key
        combined = np.sort(keys * span + delay)
        keys, delay = combined // span, combined % span
    else:
        order = np.lexsort((delay, keys))
        keys, delay = keys[order], delay[order]
    starts = np.concatenate(([0], np.nonzero(keys[1:] != keys[:-1])[0] + 1))
    sizes = np.diff(np.concatenate((starts, [len(keys)])))
    return delay, keys[starts], starts, sizes


def _edges(
    source: Ints, target: Ints, delay: Ints, names: Mapping[int, str]
) -> dict[tuple[str, str], tuple[int, DurationStats]]:
    width = int(max(source.max(initial=0), target.max(initial=0))) + 1
    ordered, keys, starts, sizes = _groups(source * width + target, delay)
    totals = np.add.reduceat(ordered, starts) if len(starts) else starts
    edges = {}
    for key, start, size, total in zip(keys.tolist(), starts.tolist(), sizes.tolist(),
                                       totals.tolist(), strict=True):  # fmt: skip
        pair = (names[key // width], names[key % width])
        edges[pair] = (size, duration_stats(size, total, _Smallest(ordered, start)))
    return edges


def _contenders(sizes: Ints, top: int) -> Ints:
    """Indexes of the groups whose count can reach the top ``top`` (ties included)."""
    if top == 0 or not len(sizes):
        return np.zeros(0, dtype=np.int64)
    threshold = np.partition(sizes, len(sizes) - top)[len(sizes) - top] if top < len(sizes) else 0
    return np.nonzero(sizes >= threshold)[0]


def _handoffs(
    giver: Ints, taker: Ints, delay: Ints, actors: tuple[EntityId, ...], top: int
) -> dict[tuple[EntityId, EntityId], tuple[int, float]]:
    handed = (giver >= 0) & (taker >= 0) & (giver != taker)
    width = len(actors) or 1
    ordered, keys, starts, sizes = _groups(giver[handed] * width + taker[handed], delay[handed])
    return {
        (actors[key // width], actors[key % width]): (
            size,
            median_seconds(size, _Smallest(ordered, start)),
        )
        for key, start, size in (
            (int(keys[i]), int(starts[i]), int(sizes[i])) for i in _contenders(sizes, top)
        )
    }


def _variants(
    kind: Ints, heads: Ints, tails: Ints, names: Mapping[int, str], top: int
) -> tuple[dict[tuple[str, ...], int], int]:
    packed = kind.astype("<i4")
    counts = Counter(
        packed[h : t + 1].tobytes() for h, t in zip(heads.tolist(), tails.tolist(), strict=True)
    )
    keys = list(counts)
    sizes = np.fromiter((counts[k] for k in keys), dtype=np.int64, count=len(keys))
    named = {
        tuple(names[c] for c in np.frombuffer(keys[i], dtype="<i4").tolist()): counts[keys[i]]
        for i in _contenders(sizes, top).tolist()
    }
    return named, len(counts)
