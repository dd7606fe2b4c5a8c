"""The map-cache benchmark's synthetic tenant: packed sequences generated with numpy and
written with binary COPY, so ten million events load in about a minute instead of the hours
the importer would take.

Each object type gets ``events`` occurrences over ``events // 20`` objects (a multinomial
spread, so objects have from one to several dozen), each object's times increasing by random
gaps of about a day, 30 activity types in a loose cycle with one step in ten at random (so
variants are many but not all unique), 2,000 actors. Only what maps are read from is written:
the entities the sequences hang off, the activity-type codes, the sequences, the version row.
COPY runs as the cluster's superuser (COPY FROM refuses tables under row-level security); the
API reads it all back as ``atlas_app``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import asyncpg
import numpy as np

from adapters.postgres.graph_codec import ENTRY_TYPE
from adapters.postgres.url import DatabaseUrl
from domain.shared.ids import TenantId

ACTIVITY_TYPES = 30
ACTORS = 2_000
PER_OBJECT = 20  # occurrences per object, on average
_DAY_US = 86_400 * 1_000_000


def packed(events: int, seed: int) -> tuple[bytes, np.ndarray]:
    """``events`` packed occurrences in object order, and where each object's run starts."""
    rng = np.random.default_rng(seed)
    objects = max(1, events // PER_OBJECT)
    obj = np.sort(rng.integers(0, objects, events))
    starts = np.concatenate(([0], np.nonzero(obj[1:] != obj[:-1])[0] + 1))
    run = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, events)))
    position = np.arange(events) - starts[run]
    gaps = rng.exponential(_DAY_US, events).astype(np.int64) + 1
    climb = np.cumsum(gaps)
    base = rng.integers(1_600_000_000 * 1_000_000, 1_660_000_000 * 1_000_000, len(starts))
    records = np.zeros(events, dtype=ENTRY_TYPE)
    records["at"] = base[run] + climb - climb[starts][run]
    records["seq"] = np.arange(events)
    records["activity"] = np.frombuffer(rng.bytes(16 * events), dtype="V16")
    step = (position + run % 5) % ACTIVITY_TYPES
    noise = rng.random(events) < 0.1
    step[noise] = rng.integers(0, ACTIVITY_TYPES, int(noise.sum()))
    records["code"] = step
    people = np.frombuffer(rng.bytes(16 * ACTORS), dtype="V16")
    records["actor"] = people[rng.integers(0, ACTORS, events)]
    return records.tobytes(), starts * ENTRY_TYPE.itemsize


def _sequences(
    tenant: TenantId, object_type: str, blob: bytes, starts: np.ndarray, ids: list[uuid.UUID]
) -> Iterator[tuple[object, ...]]:
    ends = [*starts[1:].tolist(), len(blob)]
    for object_id, start, end in zip(ids, starts.tolist(), ends, strict=True):
        yield tenant, object_id, object_type, 1, blob[start:end]


async def load(superuser: DatabaseUrl, tenant: TenantId, types: dict[str, int]) -> int:
    """Write ``types`` (object type -> events) for the tenant; the events written."""
    conn = await asyncpg.connect(**superuser.asyncpg_kwargs())
    written = 0
    try:
        await conn.copy_records_to_table(
            "graph_activity_types", schema_name="atlas", columns=["tenant_id", "code", "name"],
            records=[(tenant, c, f"Step {c:02d}") for c in range(ACTIVITY_TYPES)],
        )  # fmt: skip
        for n, (object_type, events) in enumerate(types.items()):
            blob, starts = packed(events, seed=n)
            ids = [uuid.uuid4() for _ in range(len(starts))]
            await conn.copy_records_to_table(
                "graph_entities", schema_name="atlas",
                columns=["tenant_id", "entity_id", "provider", "scope", "source_id", "type",
                         "canonical_id"],
                records=((tenant, i, "bench", "bench", str(i), object_type, i) for i in ids),
            )  # fmt: skip
            await conn.copy_records_to_table(
                "graph_sequences", schema_name="atlas",
                columns=["tenant_id", "object_id", "object_type", "revision", "entries"],
                records=_sequences(tenant, object_type, blob, starts, ids),
            )  # fmt: skip
            written += events
        await conn.execute(
            """INSERT INTO atlas.graph_versions (tenant_id, revision, generation)
            VALUES ($1, 1, 0) ON CONFLICT (tenant_id) DO UPDATE SET revision = 1""",
            tenant,
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return written
