"""The context graph over HTTP: entities, activities, imports and export (process maps are in
``process_maps``, under the same router)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, Router, get, post
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream

from adapters.exporters.ocel import ocel_json
from adapters.exporters.spool import ExportSpool
from adapters.importers.files import spooled
from adapters.importers.formats import MAX_UPLOAD_BYTES
from adapters.importers.progress import ImportStatus
from adapters.importers.slots import Slots
from application.feed.ports import MemberFeed
from application.graph.export import ExportGraph
from application.graph.import_requests import GetImport, RequestImport
from application.graph.importing import ImportOptions
from application.graph.ports import ActivityFilter, ActivityPage, EntityPage
from application.graph.queries import EntityDetail, GetEntity, ListActivities, ListEntities
from application.graph.undo_merge import UndoMerge
from application.shared.actor import Actor
from domain.graph.errors import ImportTooLarge, InvalidImportId
from domain.graph.model import EntityId
from domain.graph.process_map import Window
from domain.identity.model import Role
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor, requires_exporter, requires_role
from entrypoints.http.controllers.graph_schemas import (
    FileNameHeader,
    ImportIdHeader,
    ImportObjectType,
    ImportUpload,
)
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

    @post("/imports", summary="Request an import of an OCEL 2.0 JSON or XES file (raw body, may "
          "be gzipped): stored, then run by a worker; poll the Location",
          guards=[requires_role(Role.OWNER, Role.ADMIN)], operation_class=ImportUpload,
          request_max_body_size=MAX_UPLOAD_BYTES, status_code=202,
          responses=problems(401, 403, 413, 422, 503))  # fmt: skip
    async def create_import(
        self, *, request: Request[Any, Any, Any], actor: NamedDependency[Actor],
        request_import: NamedDependency[RequestImport], import_slots: NamedDependency[Slots],
        object_type: ImportObjectType = "case", import_id: ImportIdHeader = None,
        file_name: FileNameHeader = None,
    ) -> Response[ImportStatus]:  # fmt: skip
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:  # refused before reading
            raise ImportTooLarge(limit=MAX_UPLOAD_BYTES)
        chosen = _import_id(import_id)
        options = ImportOptions(object_type=object_type)
        # The whole upload is on this process's disk (size-bounded) before a slot is taken: a
        # slow client holds a socket, never a slot or a database connection.
        async with spooled(request.stream(), name=file_name or "upload",
                           limit=MAX_UPLOAD_BYTES) as upload:  # fmt: skip
            with import_slots.take(str(actor.tenant_id)):  # a tenant holds its share at most
                record = await request_import.execute(actor, upload, options, import_id=chosen)
        return Response(
            ImportStatus.of(record), status_code=202,
            headers={"Location": f"/api/v1/graph/imports/{record.id}"},
        )  # fmt: skip

    @get("/imports/{import_id:uuid}", summary="How an import stands: queued, running (with its "
         "progress), succeeded (with its summary) or failed (with its problem)",
         responses=problems(401, 404))  # fmt: skip
    async def import_state(
        self, *, actor: NamedDependency[Actor], get_import: NamedDependency[GetImport],
        member_feed: NamedDependency[MemberFeed], import_id: FromPath[UUID],
    ) -> ImportStatus:  # fmt: skip
        record = await get_import.execute(actor, import_id)
        news = (
            await member_feed.import_news(actor, import_id) if record.state == "running" else None
        )
        return ImportStatus.of(record, news)

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


def _import_id(header: str | None) -> UUID | None:
    """A client may name its import (X-Import-Id) to follow it on the feed from the start."""
    try:
        return UUID(header) if header else None
    except ValueError:
        raise InvalidImportId() from None


def routes(container: Application) -> Router:
    use_cases = container.use_cases
    imports: Any = use_cases.imports
    return Router(
        path="/api/v1/graph",
        route_handlers=[GraphController, ProcessMapController],
        dependencies={
            "get_process_map": provide(use_cases.get_process_map),
            "explore_process_map": provide(use_cases.explore_process_map),
            "list_entities": provide(use_cases.list_entities),
            "get_entity": provide(use_cases.get_entity),
            "list_activities": provide(use_cases.list_activities),
            "request_import": provide(imports.request_import),
            "get_import": provide(imports.get_import),
            "export_graph": provide(use_cases.export_graph),
            "member_feed": provide(container.adapters.member_feed),
            "import_slots": provide(container.adapters.import_slots),
            "export_spool": provide(container.adapters.export_spool),
            "undo_merge": provide(use_cases.undo_merge),
        },
    )
