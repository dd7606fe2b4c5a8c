"""The process-map cache's byte budget: least recently used out first, never over the budget,
an entry larger than the budget not kept; and the sizes it counts are the memory really held
(measured with tracemalloc, which sees numpy's buffers and Python's objects alike)."""

from __future__ import annotations

import gc
import random
import tracemalloc
import uuid
from dataclasses import dataclass

import pytest

from adapters.maps.budget import ByteBudget, id_bytes
from adapters.maps.cached import CachedLog, blobs_bytes
from adapters.maps.columns import ENTRY, build
from adapters.maps.compute import compute
from domain.graph.model import EntityId
from domain.graph.process_map import MapQuery


@dataclass
class Blob:
    nbytes: int


def test_the_least_recently_used_go_first_and_the_total_never_exceeds_the_budget() -> None:
    cache: ByteBudget[str, Blob] = ByteBudget(100)
    for key, size in (("a", 40), ("b", 30), ("c", 20)):
        assert cache.put(key, Blob(size))
    assert cache.get("a") is not None  # a is now the most recent: b is the oldest

    assert cache.put("d", Blob(30))

    assert "b" not in cache
    assert {k for k in "acd" if k in cache} == {"a", "c", "d"}
    assert cache.used == 90


def test_a_random_workload_stays_within_the_budget_and_counts_exactly() -> None:
    rng = random.Random(14)
    cache: ByteBudget[int, Blob] = ByteBudget(1_000)
    kept: dict[int, int] = {}
    for _ in range(2_000):
        key, size = rng.randrange(50), rng.randrange(0, 400)
        if rng.random() < 0.3:
            cache.get(key)
            continue
        cache.put(key, Blob(size))
        kept = {k: v for k, v in kept.items() if k in cache} | {key: size}
        assert cache.used <= cache.budget
        assert cache.used == sum(v for k, v in kept.items() if k in cache)


def test_an_entry_larger_than_the_budget_is_not_kept_and_evicts_nothing() -> None:
    cache: ByteBudget[str, Blob] = ByteBudget(100)
    cache.put("small", Blob(60))
    cache.put("huge", Blob(40))  # replaced below by a version too big for the budget

    assert not cache.put("huge", Blob(101))

    assert "huge" not in cache
    assert "small" in cache
    assert cache.used == 60


def _blobs(objects: int, per_object: int, actors: int) -> dict[EntityId, bytes]:
    rng = random.Random(7)
    people = [uuid.UUID(int=rng.getrandbits(128)).bytes for _ in range(actors)]
    blobs = {}
    for _ in range(objects):
        row = bytearray()
        at = rng.randrange(1 << 40)
        for _ in range(per_object):
            at += rng.randrange(1, 10**9)
            row += (
                at.to_bytes(8, "little", signed=True)
                + bytes(8)
                + uuid.uuid4().bytes
                + rng.randrange(12).to_bytes(4, "little")
                + rng.choice(people)
            )
        blobs[EntityId(uuid.uuid4())] = bytes(row)
    return blobs


@pytest.mark.parametrize(("objects", "per_object"), [(2_000, 20), (20_000, 5)])
def test_the_sizes_counted_are_the_memory_held(objects: int, per_object: int) -> None:
    blobs = _blobs(objects, per_object, actors=300)
    names = {c: f"step {c}" for c in range(12)}
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        columns = build(blobs, names, {})
        log = CachedLog()
        log.keep(blobs, columns, blobs_bytes(blobs))
        log.remember(MapQuery(object_type="deal"), compute(columns, MapQuery(object_type="deal")))
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # Building added the columns and the map; the log also holds the objects' ids, which
    # existed before as the blobs' keys. Counted within a tenth of what is really held.
    added = log.nbytes - blobs_bytes(blobs)
    assert ENTRY.itemsize == 52
    assert 0.9 * (held + id_bytes() * objects) <= added <= 1.1 * (held + id_bytes() * objects)
    measured_blobs = sum(len(b) for b in blobs.values())
    assert measured_blobs <= blobs_bytes(blobs) <= measured_blobs + 64 * len(blobs) + (1 << 20)
