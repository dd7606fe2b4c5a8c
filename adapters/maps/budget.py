"""A least-recently-used cache bounded by bytes, and the byte sizes it is bounded by.

The process-map cache used to cap entries by count; one entry may be a few kilobytes or half
a gigabyte, so a count bounds nothing. Entries here report their size (``nbytes``, measured
from the buffers they hold, not guessed from row counts) and the cache evicts the least
recently used until the total is within the budget. An entry larger than the whole budget is
not kept at all: it is still answered from, by whoever built it, and then dropped.
"""

from __future__ import annotations

import ctypes
import sys
from collections import OrderedDict
from collections.abc import Hashable
from functools import cache
from typing import Any, Generic, Protocol, TypeVar
from uuid import UUID

import msgspec


class Sized(Protocol):
    @property
    def nbytes(self) -> int: ...


K = TypeVar("K", bound=Hashable)
V = TypeVar("V", bound=Sized)


class ByteBudget(Generic[K, V]):
    def __init__(self, budget: int) -> None:
        if budget < 0:
            raise ValueError("a byte budget is zero or more")
        self.budget = budget
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._used = 0
        self.hits = self.misses = 0  # lookups answered from the cache, or not (for metrics)

    @property
    def used(self) -> int:
        """The bytes of the entries kept, as measured when each was last put."""
        return self._used

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: K) -> bool:
        return key in self._entries

    def get(self, key: K) -> V | None:
        """The entry, now the most recently used; None when it is not kept."""
        found = self._entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._entries.move_to_end(key)
        return found[0]

    def put(self, key: K, value: V) -> bool:
        """Keep (or re-measure) the entry as the most recently used, evicting the least
        recently used others until all fit. False (and nothing kept under the key) when the
        entry alone is larger than the budget."""
        self.discard(key)
        size = value.nbytes
        if size > self.budget:
            return False
        while self._used + size > self.budget:
            _, (_, evicted) = self._entries.popitem(last=False)
            self._used -= evicted
        self._entries[key] = (value, size)
        self._used += size
        return True

    def discard(self, key: K) -> None:
        found = self._entries.pop(key, None)
        if found is not None:
            self._used -= found[1]


@cache
def id_bytes() -> int:
    """One UUID object with its 128-bit int (what a tuple or dict of ids really holds)."""
    sample = UUID(int=(1 << 127) | 1)
    return sys.getsizeof(sample) + sys.getsizeof(sample.int)


def ids_bytes(count: int) -> int:
    """A tuple of ``count`` distinct ids: the tuple and each id object."""
    return sys.getsizeof(()) + (8 + id_bytes()) * count


def deep_size(value: object) -> int:
    """The bytes of a small value and what it holds: structs, tuples, dicts, strings,
    numbers, ids. For the computed maps (tens of kilobytes), not for large columns."""
    seen: set[int] = set()
    stack = [value]
    total = 0
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        total += sys.getsizeof(item)
        if isinstance(item, msgspec.Struct):
            stack.extend(getattr(item, f) for f in item.__struct_fields__)
        elif isinstance(item, tuple | list | set | frozenset):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, UUID):
            stack.append(item.int)
    return total


@cache
def _libc() -> Any:
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: its allocator gives memory back on its own terms
        return None
    return libc if hasattr(libc, "malloc_trim") else None


def give_back_freed_memory() -> None:
    """Return the heap's free pages to the system. A rebuilt log frees hundreds of thousands
    of small objects (the rows read, the old blobs); glibc keeps their pages for reuse, so
    without this the process's resident memory stays at its peak, not at what it keeps."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
