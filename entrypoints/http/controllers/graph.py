"""The context graph over HTTP: entities, activities, imports and export (process maps are in
``process_maps``, under the same router)."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Router, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream

from adapters.exporters.ocel import ocel_json
from adapters.exporters.spool import ExportSpool
from adapters.importers.files import spooled
from adapters.importers.formats import MAX_UPLOAD_BYTES
from adapters.importers.progress import ImportBoard, ImportState
from adapters.importers.slots import Slots
from application.feed.ports import MemberFeed
from application.graph.export import ExportGraph
from application.graph.importing import ImportLog, ImportOptions, ImportSummary
from application.graph.ports import ActivityFilter, ActivityPage, EntityPage
from application.graph.queries import EntityDetail, GetEntity, ListActivities, ListEntities
from application.graph.undo_merge import UndoMerge
from application.shared.actor import Actor
from domain.graph.errors import ImportNotFound, ImportTooLarge, InvalidImportId
from domain.graph.model import EntityId
from domain.graph.process_map import Window
from domain.identity.model import Role
from domain.shared.errors import DomainError
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor, requires_exporter, requires_role
from entrypoints.http.controllers.graph_schemas import FileNameHeader, ImportIdHeader, ImportUpload
from entrypoints.http.controllers.process_maps import End, ProcessMapController, Start
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems
from entrypoints.http.slow_clients import close_when_done

Limit = Annotated[int, QueryParameter(ge=1, le=500)]
ActorParam = Annotated[UUID | None, QueryParameter(name="actor", required=False)]
ObjectParam = Annotated[UUID | None, QueryParameter(name="object", required=False)]


class GraphController(Controller):
    path = "/"
    tags = ["Graph"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @get("/entities", summary="Entities, by type, searched by name or email",
         responses=problems(401, 422))  # fmt: skip
    async def entities(
        self, *, actor: NamedDependency[Actor], list_entities: NamedDependency[ListEntities],
        type: FromQuery[str | None] = None, search: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = 50,
    ) -> EntityPage:  # fmt: skip
        return await list_entities.execute(
            actor, type=type, search=search, cursor=cursor, limit=limit
        )

    @get("/entities/{entity_id:uuid}", summary="One entity: records, relationships, timeline",
         responses=problems(401, 404))  # fmt: skip
    async def entity(
        self, *, actor: NamedDependency[Actor], get_entity: NamedDependency[GetEntity],
        entity_id: FromPath[UUID],
    ) -> EntityDetail:  # fmt: skip
        return await get_entity.execute(actor, EntityId(entity_id))

    @post("/merges/{merge_id:uuid}/undo", summary="Undo an entity merge (keeps them apart)",
          guards=[requires_role(Role.OWNER, Role.ADMIN)], status_code=204,
          responses=problems(401, 403, 404, 409))  # fmt: skip
    async def undo_merge(
        self, *, actor: NamedDependency[Actor], undo_merge: NamedDependency[UndoMerge],
        merge_id: FromPath[UUID],
    ) -> None:  # fmt: skip
        await undo_merge.execute(actor, merge_id)

    @get("/activities", summary="Activities in time order, filtered",
         responses=problems(401, 422))  # fmt: skip
    async def activities(
        self, *, actor: NamedDependency[Actor], list_activities: NamedDependency[ListActivities],
        type: FromQuery[list[str] | None] = None, actor_id: ActorParam = None,
        object_id: ObjectParam = None,
        start: Start = None, end: End = None, cursor: FromQuery[str | None] = None,
        limit: Limit = 50,
    ) -> ActivityPage:  # fmt: skip
        selection = ActivityFilter(
            types=tuple(type or ()), actors=(EntityId(actor_id),) if actor_id else (),
            object_id=EntityId(object_id) if object_id else None, start=start, end=end,
        )  # fmt: skip
        Window(start=start, end=end)  # refuses a naive or inverted window
        return await list_activities.execute(actor, selection, cursor=cursor, limit=limit)

    @post("/imports", summary="Import an OCEL 2.0 JSON or XES file (raw body, may be gzipped)",
          guards=[requires_role(Role.OWNER, Role.ADMIN)], operation_class=ImportUpload,
          request_max_body_size=MAX_UPLOAD_BYTES, status_code=201,
          responses=problems(401, 403, 409, 413, 422, 503))  # fmt: skip
    async def create_import(
        self, *, request: Request[Any, Any, Any], actor: NamedDependency[Actor],
        import_log: NamedDependency[ImportLog], import_board: NamedDependency[ImportBoard],
        import_slots: NamedDependency[Slots], object_type: FromQuery[str] = "case",
        import_id: ImportIdHeader = None, file_name: FileNameHeader = None,
    ) -> ImportSummary:  # fmt: skip
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:  # refused before reading
            raise ImportTooLarge(limit=MAX_UPLOAD_BYTES)
        with import_slots.take():  # before the upload is spooled: disk is what it bounds too
            tracked = _Tracked(import_board, actor, import_id)
            name, options = file_name or "upload", ImportOptions(object_type=object_type)
            async with spooled(request.stream(), name=name, limit=MAX_UPLOAD_BYTES) as source:
                return await tracked(import_log.execute(
                    actor, source, options, tracked.progress, import_id=tracked.id
                ))  # fmt: skip

    @get("/imports/{import_id:uuid}", summary="Progress of a running or recent import",
         responses=problems(401, 404))  # fmt: skip
    async def import_state(
        self, *, actor: NamedDependency[Actor], import_board: NamedDependency[ImportBoard],
        member_feed: NamedDependency[MemberFeed], import_id: FromPath[UUID],
    ) -> ImportState:  # fmt: skip
        # This process's board is freshest; the feed's outbox knows every process's imports.
        state = import_board.get(actor.tenant_id, import_id)
        if state is None and (news := await member_feed.import_news(actor, import_id)):
            state = ImportState.from_news(import_id, news)
        if state is None:
            raise ImportNotFound(import_id=str(import_id))
        return state

    @get("/export.ocel.json", summary="The graph, or a window of it, as OCEL 2.0 JSON "
         "(owners and admins)", guards=[requires_exporter],
         responses=problems(401, 403, 422, 503))  # fmt: skip
    async def export(
        self, *, actor: NamedDependency[Actor], export_graph: NamedDependency[ExportGraph],
        export_spool: NamedDependency[ExportSpool], start: Start = None, end: End = None,
    ) -> Stream:  # fmt: skip
        parts = export_graph.execute(actor, Window(start=start, end=end))
        body = await export_spool.written(ocel_json(parts), str(actor.tenant_id))  # tx ends
        close_when_done(body.aclose)
        return Stream(
            body, media_type="application/json", background=BackgroundTask(body.aclose),
            headers={"Content-Disposition": 'attachment; filename="atlas-graph.ocel.json"'},
        )  # fmt: skip


class _Tracked:
    """Reports an import's progress to the board when the client named it (X-Import-Id)."""

    def __init__(self, board: ImportBoard, actor: Actor, header: str | None) -> None:
        self._board, self._tenant = board, actor.tenant_id
        try:
            self._id = UUID(header) if header else None
        except ValueError:
            raise InvalidImportId() from None
        self.progress = board.reporter(self._tenant, self._id) if self._id else None
        self.id = self._id  # the feed's import events carry it too

    async def __call__(self, running: Awaitable[ImportSummary]) -> ImportSummary:
        try:
            summary = await running
        except DomainError as error:  # recorded for whoever polls, then answered as usual
            if self._id:
                self._board.finish(self._tenant, self._id, events=0, code=error.code)
            raise
        if self._id:
            self._board.finish(self._tenant, self._id, events=summary.events, code=None)
        return summary


def routes(container: Application) -> Router:
    use_cases = container.use_cases
    return Router(
        path="/api/v1/graph",
        route_handlers=[GraphController, ProcessMapController],
        dependencies={
            "get_process_map": provide(use_cases.get_process_map),
            "explore_process_map": provide(use_cases.explore_process_map),
            "list_entities": provide(use_cases.list_entities),
            "get_entity": provide(use_cases.get_entity),
            "list_activities": provide(use_cases.list_activities),
            "import_log": provide(use_cases.import_log),
            "export_graph": provide(use_cases.export_graph),
            "import_board": provide(container.adapters.import_board),
            "member_feed": provide(container.adapters.member_feed),
            "import_slots": provide(container.adapters.import_slots),
            "export_spool": provide(container.adapters.export_spool),
            "undo_merge": provide(use_cases.undo_merge),
        },
    )
