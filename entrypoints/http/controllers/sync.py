"""Sync over HTTP: run a connection's sync now, change its settings, read its runs."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from application.shared.actor import Actor
from application.shared.ports import Clock
from application.sync.queries import ListSyncRuns, ShowSyncRun
from application.sync.request_sync import RequestSync
from domain.sync.run import RunTrigger
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor, requires_connector
from entrypoints.http.controllers.sync_schemas import RunList, RunView
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems

Limit = Annotated[int, QueryParameter(ge=1, le=100)]


class ConnectionSyncController(Controller):
    path = "/connections"
    tags = ["Sync"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @post("/{connection_id:uuid}/sync", status_code=202,
          summary="Sync now: the run (the active one, if a sync is already queued or running)",
          guards=[requires_connector], responses=problems(401, 403, 404, 409))  # fmt: skip
    async def sync_now(
        self,
        connection_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        request_sync: NamedDependency[RequestSync],
        clock: NamedDependency[Clock],
    ) -> Response[RunView]:
        requested = await request_sync.execute(actor.scope, connection_id, RunTrigger.MANUAL)
        location = f"/api/v1/sync-runs/{requested.run.id}"
        return Response(RunView.of(requested.run, clock.now()), headers={"Location": location})


class SyncRunController(Controller):
    path = "/sync-runs"
    tags = ["Sync"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @get("/", summary="My sync runs, newest first", responses=problems(401, 404, 422))
    async def list_runs(
        self,
        *,
        actor: NamedDependency[Actor],
        list_sync_runs: NamedDependency[ListSyncRuns],
        clock: NamedDependency[Clock],
        connection: FromQuery[UUID | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = 20,
    ) -> RunList:
        page = await list_sync_runs.execute(
            actor.scope, connection_id=connection, cursor=cursor, limit=limit
        )
        now = clock.now()
        return RunList(items=[RunView.of(r, now) for r in page.runs], next_cursor=page.next_cursor)

    @get("/{run_id:uuid}", summary="One sync run, stream by stream", responses=problems(401, 404))
    async def show_run(
        self,
        run_id: FromPath[UUID],
        actor: NamedDependency[Actor],
        show_sync_run: NamedDependency[ShowSyncRun],
        clock: NamedDependency[Clock],
    ) -> RunView:
        return RunView.of(await show_sync_run.execute(actor.scope, run_id), clock.now())


def routes(container: Application) -> Router:
    use_cases: Any = container.use_cases.sync
    return Router(
        path="/api/v1",
        route_handlers=[ConnectionSyncController, SyncRunController],
        dependencies={
            "clock": provide(container.adapters.clock),
            "request_sync": provide(use_cases.request_sync),
            "list_sync_runs": provide(use_cases.list_sync_runs),
            "show_sync_run": provide(use_cases.show_sync_run),
        },
    )
