"""A process log as columns: every object's packed sequence, concatenated.

Each object's occurrences are already in total order (they are stored that way), so the
columns need no sort: object after object, each one's run in order. Actors become small
integer codes after mapping records to their canonical entity; an activity linked to several
objects of the type is flagged once, so node counts count activities, not links; each
occurrence also keeps its activity's code, to flag them again over a subset of the objects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

import numpy as np
import numpy.typing as npt

from adapters.maps.budget import deep_size, ids_bytes
from domain.graph.model import EntityId

ENTRY = np.dtype([("at", "<i8"), ("seq", "<i8"), ("id", "V16"), ("type", "<i4"), ("actor", "V16")])
NO_ACTOR = bytes(16)

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Columns:
    at: Ints  # microseconds
    obj: npt.NDArray[np.int32]  # object index, runs are contiguous (int32: half the bytes)
    type: Ints  # activity type code
    actor: Ints  # actor code, -1 for none
    first: npt.NDArray[np.bool_]  # the first occurrence of its activity
    # Activity code: equal codes, one activity linked to several objects. Empty when every
    # occurrence is its activity's first (the usual case), where it would only count 0..n-1.
    activity: Ints
    type_names: Mapping[int, str]
    actors: tuple[EntityId, ...]  # actor code -> canonical entity
    ids: tuple[EntityId, ...]  # object index -> canonical object

    @property
    def size(self) -> int:
        return int(self.at.shape[0])

    @property
    def nbytes(self) -> int:
        """What the columns hold in memory: the arrays' buffers, and the id tuples."""
        arrays = (self.at, self.obj, self.type, self.actor, self.first, self.activity)
        return (
            sum(a.nbytes for a in arrays)
            + ids_bytes(len(self.actors))
            + ids_bytes(len(self.ids))
            + deep_size(self.type_names)
        )


def build(
    sequences: Mapping[EntityId, bytes],
    type_names: Mapping[int, str],
    aliases: Mapping[EntityId, EntityId],
) -> Columns:
    """The columns of each object's packed sequence (objects with none are left out)."""
    kept = [(obj, blob) for obj, blob in sequences.items() if blob]
    chunks = [blob for _, blob in kept]
    lengths = np.fromiter((len(b) // ENTRY.itemsize for b in chunks), dtype=np.int64)
    records = np.frombuffer(b"".join(chunks), dtype=ENTRY)
    actor, actors = _actor_codes(records["actor"], aliases)
    first = _first_occurrences(records["id"])
    # Activity codes are needed only to flag firsts again over a subset of the objects, and
    # differ from the occurrence index only when an activity is linked to several objects:
    # the exception, so the full 128-bit grouping runs only then.
    activity = np.zeros(0, dtype=np.int64) if first.all() else _activity_codes(records["id"])
    return Columns(
        at=records["at"].astype(np.int64),
        obj=np.repeat(np.arange(len(chunks), dtype=np.int32), lengths),
        type=records["type"].astype(np.int64),
        actor=actor,
        first=first,
        activity=activity,
        type_names=dict(type_names),
        actors=actors,
        ids=tuple(obj for obj, _ in kept),
    )


def _distinct(raw: npt.NDArray[np.void]) -> tuple[npt.NDArray[np.void], Ints]:
    """``np.unique(raw, return_inverse=True)`` for 16-byte ids, sorting 8 bytes instead of 16
    and checking the other 8, falling back to the full sort if two ids ever share a half."""
    halves = np.frombuffer(raw.tobytes(), dtype="<u8").reshape(-1, 2)
    _, index, inverse = np.unique(halves[:, 0], return_index=True, return_inverse=True)
    if np.array_equal(halves[index[inverse], 1], halves[:, 1]):
        return raw[index], inverse.reshape(-1)
    distinct, inverse = np.unique(raw, return_inverse=True)
    return distinct, inverse.reshape(-1)


def _actor_codes(
    raw: npt.NDArray[np.void], aliases: Mapping[EntityId, EntityId]
) -> tuple[Ints, tuple[EntityId, ...]]:
    distinct, inverse = _distinct(raw)
    canonical: dict[EntityId, int] = {}
    codes = np.empty(len(distinct), dtype=np.int64)
    for index, value in enumerate(distinct):
        blob = value.tobytes()
        if blob == NO_ACTOR:
            codes[index] = -1
            continue
        record = EntityId(UUID(bytes=blob))
        codes[index] = canonical.setdefault(aliases.get(record, record), len(canonical))
    return codes[inverse.reshape(-1)], tuple(canonical)


def _activity_codes(ids: npt.NDArray[np.void]) -> Ints:
    if not len(ids):
        return np.zeros(0, dtype=np.int64)
    return _distinct(ids)[1].astype(np.int64)


def _first_occurrences(ids: npt.NDArray[np.void]) -> npt.NDArray[np.bool_]:
    first = np.ones(len(ids), dtype=bool)
    if len(ids) < 2:
        return first
    # Sort on 64 bits of the id, then confirm equal neighbours on all 128: exact, and cheap
    # because an activity in two objects of one type is the exception.
    halves = np.frombuffer(ids.tobytes(), dtype="<u8").reshape(-1, 2)
    order = np.argsort(halves[:, 0])  # which duplicate stays "first" does not matter
    keys = halves[order]
    same = np.nonzero((keys[1:, 0] == keys[:-1, 0]) & (keys[1:, 1] == keys[:-1, 1]))[0]
    first[order[same + 1]] = False
    return first


def first_occurrences(activity: Ints) -> npt.NDArray[np.bool_]:
    """True at one occurrence of each activity code (which one does not matter)."""
    first = np.zeros(len(activity), dtype=bool)
    first[np.unique(activity, return_index=True)[1]] = True
    return first
