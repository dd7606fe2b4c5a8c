"""One cached log: the packed sequences read at a revision, their columns, and the maps
computed over them, with the bytes all of it holds.

The blobs are kept only to refresh cheaply (a new revision reads and replaces the changed
objects' sequences alone); the columns are what maps are served from. When keeping both
would not fit the budget, the blobs go and the next revision reads the log whole again: a
slower refresh instead of no cache at all.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

from adapters.maps.budget import deep_size, id_bytes
from adapters.maps.columns import Columns, build
from domain.graph.model import EntityId
from domain.graph.process_map import MapQuery, ProcessMap

MAPS_PER_LOG = 16  # computed maps kept per log until its columns change (each is small)


@dataclass
class CachedLog:
    revision: int = -1
    generation: int = -1
    blobs: dict[EntityId, bytes] | None = field(default_factory=dict)
    blob_bytes: int = 0  # measured when the blobs were last read
    aliases: dict[EntityId, EntityId] = field(default_factory=dict)
    columns: Columns | None = None
    columns_bytes: int = 0
    maps: OrderedDict[MapQuery, ProcessMap] = field(default_factory=OrderedDict)
    maps_bytes: int = 0

    @property
    def nbytes(self) -> int:
        aliases = sys.getsizeof(self.aliases) + 2 * id_bytes() * len(self.aliases)
        return self.blob_bytes + self.columns_bytes + self.maps_bytes + aliases

    @property
    def empty(self) -> bool:
        """No object of the type has an activity: nothing worth keeping (a made-up type)."""
        return self.columns is None or self.columns.size == 0

    def keep(self, blobs: dict[EntityId, bytes], columns: Columns, blob_bytes: int) -> None:
        """The log as just read and built (``blob_bytes``: ``blobs_bytes(blobs)``, measured off
        the event loop); the maps of the old columns are dropped."""
        self.blobs, self.blob_bytes = blobs, blob_bytes
        self.columns, self.columns_bytes = columns, columns.nbytes
        self.maps.clear()
        self.maps_bytes = 0

    def remember(self, query: MapQuery, served: ProcessMap) -> None:
        if query in self.maps:
            self.maps.move_to_end(query)
            return
        self.maps[query] = served
        self.maps_bytes += deep_size(served) + deep_size(query)
        while len(self.maps) > MAPS_PER_LOG:
            old_query, old = self.maps.popitem(last=False)
            self.maps_bytes -= deep_size(old) + deep_size(old_query)

    def shed_blobs(self) -> None:
        """Keep only what serves maps; the next revision reads the log whole."""
        self.blobs, self.blob_bytes = None, 0


def built(
    shown: Mapping[EntityId, bytes],
    names: Mapping[int, str],
    aliases: Mapping[EntityId, EntityId],
    blobs: dict[EntityId, bytes],
) -> tuple[Columns, int]:
    """The columns of what is shown, and the size of the blobs kept: both a pass over every
    object, so both run in the worker thread."""
    return build(shown, names, aliases), blobs_bytes(blobs)


def blobs_bytes(blobs: dict[EntityId, bytes]) -> int:
    """The dict and each bytes object (header and payload). Its keys are the very id objects
    of ``Columns.ids`` (every blob kept is non-empty), counted there."""
    return sys.getsizeof(blobs) + sum(sys.getsizeof(b) for b in blobs.values())
