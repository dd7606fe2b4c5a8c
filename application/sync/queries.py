"""Read sync state: a connection's schedule and latest run, runs page by page, the fleet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import final
from uuid import UUID

import msgspec

from application.shared.paging import decode_cursor, encode_cursor
from application.shared.scope import Scope
from application.sync.ports import SyncCensus, SyncUnitOfWork
from domain.integrations.connection import Connection
from domain.integrations.errors import ConnectionNotFound
from domain.sync.errors import InvalidRunCursor, SyncRunNotFound
from domain.sync.run import SyncRun
from domain.sync.schedule import SyncSchedule

MAX_PAGE = 100


class ConnectionSync(msgspec.Struct, frozen=True, kw_only=True):
    connection: Connection
    schedule: SyncSchedule | None
    latest_run: SyncRun | None


class RunPage(msgspec.Struct, frozen=True, kw_only=True):
    runs: tuple[SyncRun, ...]
    next_cursor: str | None


class _RunCursor(msgspec.Struct, frozen=True, array_like=True):
    at: datetime
    id: UUID


async def _sync_of(uow: SyncUnitOfWork, connection: Connection) -> ConnectionSync:
    latest = await uow.runs.latest(connection.id, limit=1, before=None)
    return ConnectionSync(
        connection=connection,
        schedule=await uow.schedules.get(connection.id),
        latest_run=latest[0] if latest else None,
    )


@final
class ShowConnectionSync:
    def __init__(self, uow_for: Callable[[Scope], SyncUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, scope: Scope, connection_id: UUID) -> ConnectionSync:
        async with self._uow_for(scope) as uow:
            connection = await uow.connections.get(connection_id)
            if connection is None:  # another user's connection looks exactly like a missing one
                raise ConnectionNotFound(connection_id=str(connection_id))
            return await _sync_of(uow, connection)


@final
class ListConnectionSyncs:
    def __init__(self, uow_for: Callable[[Scope], SyncUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, scope: Scope) -> list[ConnectionSync]:
        async with self._uow_for(scope) as uow:
            return [await _sync_of(uow, c) for c in await uow.connections.all()]


@final
class ListSyncRuns:
    def __init__(self, uow_for: Callable[[Scope], SyncUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(
        self, scope: Scope, *, connection_id: UUID | None, cursor: str | None, limit: int
    ) -> RunPage:
        size = max(1, min(limit, MAX_PAGE))
        before = None
        if cursor:
            position = decode_cursor(cursor, _RunCursor, InvalidRunCursor)
            before = (position.at, position.id)
        async with self._uow_for(scope) as uow:
            if connection_id is not None and await uow.connections.get(connection_id) is None:
                raise ConnectionNotFound(connection_id=str(connection_id))
            found = await uow.runs.latest(connection_id, limit=size + 1, before=before)
        page, more = found[:size], len(found) > size
        last = page[-1] if page and more else None
        return RunPage(
            runs=tuple(page),
            next_cursor=encode_cursor(_RunCursor(at=last.requested_at, id=last.id))
            if last
            else None,
        )


@final
class ShowSyncRun:
    def __init__(self, uow_for: Callable[[Scope], SyncUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, scope: Scope, run_id: UUID) -> SyncRun:
        async with self._uow_for(scope) as uow:
            run = await uow.runs.get(run_id)
        if run is None:
            raise SyncRunNotFound(run_id=str(run_id))
        return run


@final
class SyncStatus:
    """For operators (``atlas sync status``): every connection's sync, tenant by tenant."""

    def __init__(self, census: SyncCensus, uow_for: Callable[[Scope], SyncUnitOfWork]) -> None:
        self._census, self._uow_for = census, uow_for

    async def execute(self, connection_id: UUID | None = None) -> list[ConnectionSync]:
        found = []
        for owner in await self._census.scopes(connection_id):
            scope = Scope(tenant_id=owner.tenant_id, user_id=owner.user_id)
            async with self._uow_for(scope) as uow:
                connection = await uow.connections.get(owner.connection_id)
                if connection is not None:
                    found.append(await _sync_of(uow, connection))
        return found
