"""The bulk path of an import on PostgreSQL: a fresh block in three plain inserts.

``COPY`` is refused on tables with row security, so rows still go through
``INSERT ... SELECT FROM unnest(...)`` as the app role, checked by the same policies. What is
saved is everything around it: no ``ON CONFLICT`` (a first import cannot conflict; if it does,
the savepoint undoes the block and the caller takes the incremental path), no read-back, and
columns that stay dictionary-encoded until the database expands them: type names, actors and
attribute sets travel once per block and are picked per row by index, times travel as
microseconds. And the per-row columns travel as two-dimensional arrays (``unnest`` reads them
back flat): the driver checks every element of a one-dimensional list for being a nested
list (an ``isinstance`` against an abstract base class, ~0.2 µs), but a row of a
two-dimensional one only once: measured, the driver's share of an activity falls from
~2 µs to ~0.6 µs, time the parser (sharing the interpreter) then has.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import asyncpg

from adapters.postgres.graph_codec import json_text, links_json, pack_traces
from adapters.postgres.graph_db import GraphDb, translate_driver
from adapters.postgres.graph_entities import INSERT_ENTITIES, entity_columns
from adapters.postgres.graph_sequences import PostgresSequenceRepository
from application.graph.ports import BulkRecords, PreparedTraces
from domain.graph.model import ObjectLink

_COLUMNS = ("activity_id", "provider", "scope", "source_id", "type", "occurred_at",
            "source_seq", "actor_id", "attributes", "objects", "url")  # fmt: skip

# The block's activities as rows of the table ($1 is the tenant). Times are whole seconds plus
# microseconds since the epoch: both products stay exact in the float arithmetic of interval
# multiplication, over all of Python's datetime range.
_ROWS = """SELECT x.a AS activity_id, $2::text AS provider, $3::text AS scope,
        x.s AS source_id, ($4::text[])[x.t + 1] AS type,
        timestamptz 'epoch' + (x.o / 1000000) * interval '1 second'
            + (x.o % 1000000) * interval '1 microsecond' AS occurred_at,
        $5::bigint + x.n - 1 AS source_seq,
        CASE WHEN x.r >= 0 THEN ($6::uuid[])[x.r + 1] END AS actor_id,
        ($7::jsonb[])[x.k + 1] AS attributes, x.ob::jsonb AS objects, NULL::text AS url
    FROM unnest($8::uuid[], $9::text[], $10::int[], $11::bigint[], $12::int[], $13::int[],
        $14::text[]) WITH ORDINALITY AS x(a, s, t, o, r, k, ob, n)
    WHERE x.a IS NOT NULL"""  # the padding of the last row

# Built from the constants above only: no value ever reaches the text of a statement.
_ACTIVITIES = f"""INSERT INTO atlas.graph_activities (tenant_id, {", ".join(_COLUMNS)})
    SELECT $1::uuid, r.* FROM ({_ROWS}) AS r"""  # noqa: S608

_STORED = f"""SELECT count(*) FROM ({_ROWS}) AS r
    JOIN atlas.graph_activities g ON g.tenant_id = $1::uuid AND g.activity_id = r.activity_id
    WHERE ({", ".join(f"g.{c}" for c in _COLUMNS)}) IS NOT DISTINCT FROM (r.*)"""  # noqa: S608

ROW = 1024  # elements per row of a two-dimensional argument

_SEQUENCES = """INSERT INTO atlas.graph_sequences (tenant_id, object_id, object_type, revision,
        entries)
    SELECT $1, o, $2, $3, e FROM unnest($4::uuid[], $5::bytea[]) AS x(o, e)"""


class PostgresBulkRecords(BulkRecords):
    def __init__(self, db: GraphDb, sequences: PostgresSequenceRepository) -> None:
        self._db, self._sequences = db, sequences

    async def insert(self, traces: PreparedTraces, revision: int) -> bool:
        # Type codes first, outside the savepoint: the repository remembers the codes it
        # handed out, and the incremental path needs the same ones if this block falls back.
        codes = await self._sequences.codes(traces.block.types)
        tenant = self._db.tenant_id
        connection = await self._db.connection()
        try:
            async with connection.transaction():  # a savepoint: a stored record undoes it all
                await connection.execute(
                    INSERT_ENTITIES, tenant, *entity_columns(traces.entities), None
                )  # imports are the tenant's: never private
                await connection.execute(_ACTIVITIES, tenant, *_activity_arguments(traces))
                await connection.execute(
                    _SEQUENCES,
                    tenant,
                    traces.block.object_type,
                    revision,
                    list(traces.case_ids),
                    pack_traces(traces, codes),
                )
        except asyncpg.UniqueViolationError:
            return False
        except asyncpg.PostgresError as error:
            raise translate_driver(error) from error
        return True

    async def stored(self, traces: PreparedTraces) -> bool:
        arguments = _activity_arguments(traces)
        found = await self._db.fetchval(_STORED, self._db.tenant_id, *arguments)
        return bool(found == traces.block.events)


def _activity_arguments(traces: PreparedTraces) -> list[object]:
    block = traces.block
    objects: list[str] = []
    for case_id, (start, end) in zip(traces.case_ids, pairwise((0, *block.ends)), strict=True):
        objects += [links_json((ObjectLink(entity_id=case_id, qualifier=""),))] * (end - start)
    columns: list[Sequence[object]] = [
        [activity_id.hex() for activity_id in traces.activity_ids],
        traces.source_ids,
        block.type_of,
        traces.micros,
        block.actor_of,
        block.attribute_of,
        objects,
    ]
    return [
        block.provider,
        block.scope,
        list(block.types),
        block.first,
        list(traces.actor_ids),
        [json_text(attributes) for attributes in traces.attribute_sets],
        *map(rows, columns),
    ]


def rows(column: Sequence[object]) -> list[list[object]]:
    """``column`` as rows of ``ROW`` elements, the last one padded with NULLs."""
    padded = [*column, *[None] * (-len(column) % ROW)]
    return [padded[start : start + ROW] for start in range(0, len(padded), ROW)]
