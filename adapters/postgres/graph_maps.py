"""Process maps served from an in-memory columnar copy of the maintained sequences.

Each API process keeps, per (tenant, object type), the packed sequences it last read and the
revision they were read at. A request reads the tenant's version row; when the revision moved,
only the sequences written since are read again (``revision > cached``), and when the
generation moved (entity resolution changed) everything is. All reads of one refresh share a
REPEATABLE READ snapshot, and revisions commit in order (one writer per tenant), so the copy is
always the state of some committed revision: never a half-applied ingest. The cases behind a
node or an edge are selected over the same columns, so they agree with the map they explain.

What a process keeps is bounded by bytes (``budget``, measured from the buffers held) and
evicted least recently used first; a log with no activities (a made-up object type) is
answered but never kept, so it evicts nothing. Building the columns and computing a map run
in a worker thread: numpy releases the GIL in the sorts and scans that dominate them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from weakref import WeakValueDictionary

import asyncpg
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.maps.budget import ByteBudget, give_back_freed_memory
from adapters.maps.cached import CachedLog, built
from adapters.maps.cases import cases
from adapters.maps.columns import Columns
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
from domain.graph.process_map import MapQuery, ProcessMap, narrowed, widest
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId

MAP_CACHE_BYTES = 512 << 20  # per process, unless the container is given another budget

Key = tuple[TenantId, UserId | None, str]


class PostgresProcessMaps(ProcessMaps):
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, budget: int = MAP_CACHE_BYTES
    ) -> None:
        self._sessions = sessions
        self._cache: ByteBudget[Key, CachedLog] = ByteBudget(budget)
        # One refresh per log at a time; a lock lives only while someone holds or awaits it,
        # so made-up object types leave nothing behind.
        self._locks: WeakValueDictionary[Key, asyncio.Lock] = WeakValueDictionary()

    @property
    def cache(self) -> ByteBudget[Key, CachedLog]:
        """The logs kept, and the bytes they hold (for tests and benchmarks)."""
        return self._cache

    async def compute(self, scope: Scope, query: MapQuery) -> ProcessMap:
        async with self._log(scope, query.object_type) as (key, log, columns):
            # A map is a function of the columns and the query: computed once per revision,
            # off the event loop (seconds on a large log), then measured into the budget.
            # Computed at the widest top: another top of the same map is a slice of it.
            full_query = widest(query)
            full = log.maps.get(full_query)
            if full is None:
                full = await asyncio.to_thread(compute, columns, full_query)
            if key in self._cache:
                log.remember(full_query, full)
                self._cache.put(key, log)
        return narrowed(full, query.top)

    async def cases(
        self, scope: Scope, query: MapQuery, selector: CaseSelector, limit: int
    ) -> CasePage:
        async with self._log(scope, query.object_type) as (_, _, columns):
            return await asyncio.to_thread(cases, columns, query, selector, limit)

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
    async def _log(
        self, scope: Scope, object_type: str
    ) -> AsyncIterator[tuple[Key, CachedLog, Columns]]:
        """The scope's log of the type, refreshed, held under its lock. A log with no
        activities (an unknown type) is answered from but not kept: it evicts nothing."""
        if scope.tenant_id is None:
            raise ScopeViolation()
        # A member with private activities has a log of their own; everyone else shares the
        # tenant's, built from shared records only: no member's view is served to another.
        owner = await self._private_owner(scope)
        key = (scope.tenant_id, owner, object_type)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            log = self._cache.get(key) or CachedLog()
            stale = log.columns
            columns = await self._refresh(scope, (scope.tenant_id, owner), object_type, log)
            if log.empty:
                self._cache.discard(key)
            elif not self._cache.put(key, log):
                log.shed_blobs()  # too big with its blobs: keep what serves maps, if it fits
                self._cache.put(key, log)
            if columns is not stale and not log.empty:
                del stale  # the rows read and the old log are garbage now: give them back
                await asyncio.to_thread(give_back_freed_memory)
            yield key, log, columns

    async def _private_owner(self, scope: Scope) -> UserId | None:
        if scope.user_id is None or scope.tenant_id is None:
            return None
        session = self._sessions(info={SCOPE_KEY: scope})
        try:
            connection = await session.connection()
            raw = (await connection.get_raw_connection()).driver_connection
            found = await has_private(raw, scope.tenant_id, scope.user_id)
            return scope.user_id if found else None
        except asyncpg.PostgresError as error:
            raise translate_driver(error) from error
        finally:
            await session.close()

    async def _refresh(
        self, scope: Scope, whose: tuple[TenantId, UserId | None], object_type: str, log: CachedLog
    ) -> Columns:
        session = self._sessions(info={SCOPE_KEY: scope})
        try:
            connection = await session.connection(
                execution_options={"isolation_level": "REPEATABLE READ"}
            )
            raw = (await connection.get_raw_connection()).driver_connection
            return await _read(raw, *whose, object_type, log)
        except asyncpg.PostgresError as error:
            raise translate_driver(error) from error
        finally:
            await session.close()


# Every statement names the tenant (and the member, for their private rows) itself: row-level
# security is the second wall, not the only one.
_VERSION = "SELECT revision, generation FROM atlas.graph_versions WHERE tenant_id = $1"
_CHANGED = """SELECT object_id, entries FROM atlas.graph_sequences
    WHERE tenant_id = $1 AND object_type = $2 AND revision > $3"""
_CODES = "SELECT code, name FROM atlas.graph_activity_types WHERE tenant_id = $1"


async def _read(
    conn: Any, tenant: TenantId, owner: UserId | None, object_type: str, log: CachedLog
) -> Columns:
    version = await conn.fetchrow(_VERSION, tenant)
    revision, generation = (version["revision"], version["generation"]) if version else (0, 0)
    if log.columns is not None and (revision, generation) == (log.revision, log.generation):
        return log.columns
    # Blobs shed for the budget, or resolution changed: read the log whole.
    rebuild = generation != log.generation or log.columns is None or log.blobs is None
    rows = await conn.fetch(_CHANGED, tenant, object_type, -1 if rebuild else log.revision)
    blobs = {} if rebuild or log.blobs is None else log.blobs
    for row in rows:
        if row["entries"]:
            blobs[EntityId(row["object_id"])] = row["entries"]
        else:
            blobs.pop(EntityId(row["object_id"]), None)
    names = {r["code"]: r["name"] for r in await conn.fetch(_CODES, tenant)}
    if rebuild:  # resolution changes only ever come with a new generation
        aliases = await (
            conn.fetch(OWN_ALIASES, tenant, owner) if owner else conn.fetch(SHARED_ALIASES, tenant)
        )
        log.aliases = {EntityId(r["entity_id"]): EntityId(r["canonical_id"]) for r in aliases}
    shown = blobs
    if owner is not None:  # their private activities change with the revision too
        shown = await laid_over(conn, object_type, blobs, names, tenant=tenant, owner=owner)
    # Joining and decoding the blobs is seconds on a large log: off the event loop.
    columns, blob_bytes = await asyncio.to_thread(built, shown, names, log.aliases, blobs)
    log.keep(blobs, columns, blob_bytes)
    log.revision, log.generation = revision, generation
    return columns
