"""The occurrences a query covers: those in its window, of the objects of its variants.

``process_map.selected`` over columns. The window is a mask on times; a variant filter then
keeps the objects whose in-window run of activity codes is exactly one of the variants: runs
of another length are dropped at once (vectorised), the others compared as bytes, the way
``compute._variants`` keys them. Dropping objects can drop the occurrence that stood first for
an activity shared with another object, so ``first`` is flagged again over what is left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from adapters.maps.columns import Columns, Ints, first_occurrences
from domain.graph.process_map import MapQuery


@dataclass(frozen=True)
class Selection:
    at: Ints
    obj: npt.NDArray[np.int32]
    kind: Ints
    actor: Ints
    first: npt.NDArray[np.bool_]
    heads: Ints  # each covered object's first and last occurrence
    tails: Ints
    inside: npt.NDArray[np.bool_]  # neighbours i, i+1 belong to one object


def select(columns: Columns, query: MapQuery) -> Selection:
    at, obj, kind, actor = columns.at, columns.obj, columns.type, columns.actor
    first, activity = columns.first, columns.activity
    start, end = query.window.micros()
    if start is not None or end is not None:
        mask = np.ones(columns.size, dtype=bool)
        if start is not None:
            mask &= at >= start
        if end is not None:
            mask &= at < end
        at, obj, kind, actor = at[mask], obj[mask], kind[mask], actor[mask]
        first, activity = first[mask], activity[mask] if len(activity) else activity
    heads, tails = _runs(obj)
    if query.variants:
        keep = _of_variants(kind, heads, tails, columns, query.variants)
        mask = np.repeat(keep, tails - heads + 1)
        at, obj, kind, actor = at[mask], obj[mask], kind[mask], actor[mask]
        activity = activity[mask] if len(activity) else activity
        # A window keeps or drops every link of an activity (one time); a variant may not.
        first = first[mask] if columns.first.all() else first_occurrences(activity)
        heads, tails = _runs(obj)
    inside = obj[1:] == obj[:-1]
    return Selection(at=at, obj=obj, kind=kind, actor=actor, first=first, heads=heads,
                     tails=tails, inside=inside)  # fmt: skip


def _runs(obj: npt.NDArray[np.int32]) -> tuple[Ints, Ints]:
    if not len(obj):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    heads = np.concatenate(([0], np.nonzero(obj[1:] != obj[:-1])[0] + 1))
    tails = np.concatenate((heads[1:] - 1, [len(obj) - 1]))
    return heads, tails


def _of_variants(
    kind: Ints,
    heads: Ints,
    tails: Ints,
    columns: Columns,
    variants: tuple[tuple[str, ...], ...],
) -> npt.NDArray[np.bool_]:
    """Per run: whether its codes are exactly one of the variants (names without a code can
    match no run)."""
    codes = {name: code for code, name in columns.type_names.items()}
    wanted = {
        np.array([codes[n] for n in v], dtype="<i4").tobytes()
        for v in variants
        if all(n in codes for n in v)
    }
    keep = np.zeros(len(heads), dtype=bool)
    if not wanted:
        return keep
    sizes = tails - heads + 1
    candidates = np.nonzero(np.isin(sizes, [len(w) // 4 for w in wanted]))[0]
    packed = kind.astype("<i4")
    for i in candidates.tolist():
        keep[i] = packed[heads[i] : tails[i] + 1].tobytes() in wanted
    return keep
