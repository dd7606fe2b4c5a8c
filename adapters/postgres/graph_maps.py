"""Process maps served from an in-memory columnar copy of the maintained sequences.

Each API process keeps, per (tenant, object type), the packed sequences it last read and the
revision they were read at. A request reads the tenant's version row; when the revision moved,
only the sequences written since are read again (``revision > cached``), and when the
generation moved (entity resolution changed) everything is. All reads of one refresh share a
REPEATABLE READ snapshot, and revisions commit in order (one writer per tenant), so the copy is
always the state of some committed revision: never a half-applied ingest. The cases behind a
node or an edge are selected over the same columns, so they agree with the map they explain.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.maps.cases import cases
from adapters.maps.columns import Columns, build
from adapters.maps.compute import compute
from adapters.postgres.engine import SCOPE_KEY
from adapters.postgres.graph_codec import ENTRY
from adapters.postgres.graph_db import translate_driver
from adapters.postgres.graph_private_maps import (
    OBJECT_TYPES,
    OWN_ALIASES,
    SHARED_ALIASES,
    has_private,
    laid_over,
)
from application.graph.maps_port import ProcessMaps
from application.shared.scope import Scope
from domain.graph.map_cases import CasePage, CaseSelector, ObjectTypeCount, type_order
from domain.graph.model import EntityId
from domain.graph.process_map import MapQuery, ProcessMap
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId

CACHED_LOGS = 16  # (tenant, object type) pairs kept per process (~20 MB per 250k occurrences)
CACHED_MAPS = 16  # computed maps kept per log until its columns change


@dataclass
class _Log:
    revision: int = -1
    generation: int = -1
    blobs: dict[EntityId, bytes] = field(default_factory=dict)
    aliases: dict[EntityId, EntityId] = field(default_factory=dict)
    columns: Columns | None = None
    maps: OrderedDict[MapQuery, ProcessMap] = field(default_factory=OrderedDict)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class PostgresProcessMaps(ProcessMaps):
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._logs: OrderedDict[tuple[TenantId, UserId | None, str], _Log] = OrderedDict()

    async def compute(self, scope: Scope, query: MapQuery) -> ProcessMap:
        async with self._log(scope, query.object_type) as (log, columns):
            # A map is a function of the columns and the query: computed once per revision.
            served = log.maps.pop(query, None) or compute(columns, query)
            log.maps[query] = served
            while len(log.maps) > CACHED_MAPS:
                log.maps.popitem(last=False)
        return served

    async def cases(
        self, scope: Scope, query: MapQuery, selector: CaseSelector, limit: int
    ) -> CasePage:
        async with self._log(scope, query.object_type) as (_, columns):
            return cases(columns, query, selector, limit)

    async def object_types(self, scope: Scope) -> list[ObjectTypeCount]:
        if scope.tenant_id is None:
            raise ScopeViolation()
        session = self._sessions(info={SCOPE_KEY: scope})
        try:
            connection = await session.connection()
            raw: Any = (await connection.get_raw_connection()).driver_connection
            rows = await raw.fetch(OBJECT_TYPES, scope.tenant_id, scope.user_id, ENTRY.size)
        except asyncpg.PostgresError as error:
            raise translate_driver(error) from error
        finally:
            await session.close()
        found = [ObjectTypeCount(type=r["type"], objects=r["objects"],
                                 activities=r["activities"]) for r in rows]  # fmt: skip
        return sorted(found, key=type_order)

    @asynccontextmanager
    async def _log(self, scope: Scope, object_type: str) -> AsyncIterator[tuple[_Log, Columns]]:
        """The scope's log of the type, refreshed, held under its lock."""
        if scope.tenant_id is None:
            raise ScopeViolation()
        # A member with private activities has a log of their own; everyone else shares the
        # tenant's, built from shared records only: no member's view is served to another.
        owner = await self._private_owner(scope)
        key = (scope.tenant_id, owner, object_type)
        log = self._logs.pop(key, None) or _Log()
        self._logs[key] = log
        while len(self._logs) > CACHED_LOGS:
            self._logs.popitem(last=False)
        async with log.lock:
            yield log, await self._refresh(scope, object_type, log, owner)

    async def _private_owner(self, scope: Scope) -> UserId | None:
        if scope.user_id is None:
            return None
        session = self._sessions(info={SCOPE_KEY: scope})
        try:
            connection = await session.connection()
            raw = (await connection.get_raw_connection()).driver_connection
            return scope.user_id if await has_private(raw, scope.user_id) else None
        except asyncpg.PostgresError as error:
            raise translate_driver(error) from error
        finally:
            await session.close()

    async def _refresh(
        self, scope: Scope, object_type: str, log: _Log, owner: UserId | None
    ) -> Columns:
        session = self._sessions(info={SCOPE_KEY: scope})
        try:
            connection = await session.connection(
                execution_options={"isolation_level": "REPEATABLE READ"}
            )
            raw = (await connection.get_raw_connection()).driver_connection
            return await self._read(raw, object_type, log, owner)
        except asyncpg.PostgresError as error:
            raise translate_driver(error) from error
        finally:
            await session.close()

    async def _read(self, conn: Any, object_type: str, log: _Log, owner: UserId | None) -> Columns:
        version = await conn.fetchrow("SELECT revision, generation FROM atlas.graph_versions")
        revision, generation = (version["revision"], version["generation"]) if version else (0, 0)
        if log.columns is not None and (revision, generation) == (log.revision, log.generation):
            return log.columns
        rebuild = generation != log.generation or log.columns is None
        rows = await conn.fetch(
            """SELECT object_id, entries FROM atlas.graph_sequences
            WHERE object_type = $1 AND revision > $2""",
            object_type,
            -1 if rebuild else log.revision,
        )
        blobs = {} if rebuild else log.blobs
        for row in rows:
            if row["entries"]:
                blobs[EntityId(row["object_id"])] = row["entries"]
            else:
                blobs.pop(EntityId(row["object_id"]), None)
        codes = await conn.fetch("SELECT code, name FROM atlas.graph_activity_types")
        names = {r["code"]: r["name"] for r in codes}
        if rebuild:  # resolution changes only ever come with a new generation
            aliases = await (
                conn.fetch(OWN_ALIASES, owner) if owner else conn.fetch(SHARED_ALIASES)
            )
            log.aliases = {EntityId(r["entity_id"]): EntityId(r["canonical_id"]) for r in aliases}
        shown = blobs
        if owner is not None:  # their private activities change with the revision too
            shown = await laid_over(conn, owner, object_type, blobs, names)
        log.columns = build(shown, names, log.aliases)
        log.maps.clear()
        log.blobs, log.revision, log.generation = blobs, revision, generation
        return log.columns
