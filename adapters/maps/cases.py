"""The cases behind a node or an edge, over columns: ``map_cases.cases`` vectorised.

Occurrences (of the node's activity, or of the edge's pair between neighbours of one object)
are counted per object with ``bincount``; an edge's longest delay per object with
``maximum.at``. The matching objects are ordered by ``map_cases.order_key`` in numpy (ties by
id through the halves of the ids), and only the page becomes ``CaseHit``s.
"""

from __future__ import annotations

import numpy as np

from adapters.maps.columns import Columns, Ints
from adapters.maps.selection import select
from domain.graph.map_cases import MAX_CASES, CaseHit, CasePage, CaseSelector
from domain.graph.process_map import MapQuery


def cases(columns: Columns, query: MapQuery, selector: CaseSelector, limit: int) -> CasePage:
    chosen = select(columns, query)
    objects = len(columns.ids)
    codes = {name: code for code, name in columns.type_names.items()}
    pair = selector.pair
    names = (selector.activity or "",) if pair is None else pair
    if not len(chosen.heads) or any(n not in codes for n in names):
        return CasePage(total=0, hits=())
    longest: Ints | None = None
    if pair is None:
        counts = np.bincount(chosen.obj[chosen.kind == codes[names[0]]], minlength=objects)
    else:
        kind, inside = chosen.kind, chosen.inside
        hit = inside & (kind[:-1] == codes[pair[0]]) & (kind[1:] == codes[pair[1]])
        owners = chosen.obj[:-1][hit]
        counts = np.bincount(owners, minlength=objects)
        longest = np.full(objects, -1, dtype=np.int64)
        np.maximum.at(longest, owners, (chosen.at[1:] - chosen.at[:-1])[hit])
    first_at = np.zeros(objects, dtype=np.int64)
    last_at = np.zeros(objects, dtype=np.int64)
    first_at[chosen.obj[chosen.heads]] = chosen.at[chosen.heads]
    last_at[chosen.obj[chosen.tails]] = chosen.at[chosen.tails]
    matching = np.nonzero(counts)[0]
    primary = (longest if longest is not None else last_at)[matching]
    order = np.lexsort((*_id_keys(columns, matching), -primary))
    page = matching[order[: max(0, min(limit, MAX_CASES))]].tolist()
    return CasePage(
        total=len(matching),
        hits=tuple(
            CaseHit(
                id=columns.ids[i],
                occurrences=int(counts[i]),
                longest=int(longest[i]) if longest is not None else None,
                first_at=int(first_at[i]),
                last_at=int(last_at[i]),
            )
            for i in page
        ),
    )


def _id_keys(columns: Columns, chosen: Ints) -> tuple[Ints, Ints]:
    """The ids of the chosen objects as two sort keys, low half first (UUID order is the
    order of the big-endian bytes)."""
    raw = b"".join(columns.ids[i].bytes for i in chosen.tolist())
    halves = np.frombuffer(raw, dtype=">u8").reshape(-1, 2)
    return halves[:, 1], halves[:, 0]
