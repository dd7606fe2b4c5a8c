"""Merging changes into a packed sequence without unpacking it: numpy over fixed-width records.

An object with a long history (a colleague on every email, a busy channel) is touched by almost
every page of a sync. Unpacking its whole sequence into Python objects to insert a handful of
occurrences made ingest quadratic in that history; here the stored records stay bytes, the
arrivals are packed once, and the merge is a mask, a concatenation and one stable sort in C.
The order is the domain's: (time, source sequence, activity id as an unsigned 128-bit number,
which is its 16 bytes compared big-endian).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import numpy as np

from adapters.postgres.graph_codec import ENTRY_TYPE, pack
from domain.graph.model import ActivityId
from domain.graph.sequence import Occurrence


def join_packed(survivor: bytes, absorbed: bytes) -> bytes:
    """Two stored sequences as one (``merge`` of the survivor's with the absorbed's): an
    activity in both keeps the absorbed one's record, as ``merge`` lets arrivals win."""
    kept = np.frombuffer(survivor, dtype=ENTRY_TYPE)
    arriving = np.frombuffer(absorbed, dtype=ENTRY_TYPE)
    if len(kept) and len(arriving):
        kept = kept[~np.isin(kept["activity"], arriving["activity"])]
    return _ordered(np.concatenate((kept, arriving)))


def _ordered(entries: np.ndarray) -> bytes:
    activity = np.ascontiguousarray(entries["activity"]).view(">u8").reshape(-1, 2)
    order = np.lexsort((activity[:, 1], activity[:, 0], entries["seq"], entries["at"]))
    return entries[order].tobytes()


def merge_packed(
    stored: bytes,
    arrivals: Sequence[Occurrence],
    removed: Collection[ActivityId],
    code_of: Mapping[str, int],
) -> bytes:
    """``domain.graph.sequence.merge`` on the packed form: the same records, the same order."""
    existing = np.frombuffer(stored, dtype=ENTRY_TYPE)
    arriving = np.frombuffer(pack(arrivals, code_of), dtype=ENTRY_TYPE)
    gone = [a.bytes for a in removed] + [a.activity_id.bytes for a in arrivals]
    if gone and len(existing):
        ids = np.frombuffer(b"".join(gone), dtype="V16")
        existing = existing[~np.isin(existing["activity"], ids)]
    if len(arriving) > 1:
        # A later arrival of the same activity replaces an earlier one within the change too.
        _, last = np.unique(arriving["activity"][::-1], return_index=True)
        arriving = arriving[len(arriving) - 1 - np.sort(last)]
    return _ordered(np.concatenate((existing, arriving)))
