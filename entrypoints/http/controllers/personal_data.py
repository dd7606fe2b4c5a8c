"""``/api/v1/me/export`` and ``/api/v1/tenant/export``: a person's data out of Atlas (GDPR
Art. 15 and 20), and a tenant's, for its owner. (Erasure, ``DELETE /api/v1/me``, is in ``me``.)"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Router, get
from litestar.background_tasks import BackgroundTask
from litestar.di import NamedDependency
from litestar.response import Stream

from adapters.exporters.archive import zipped
from adapters.exporters.ocel import ocel_json
from adapters.exporters.spool import ExportSpool, SpooledBody
from application.compliance.personal_export import ExportPersonalData
from application.compliance.tenant_export import ExportTenant
from application.graph.export import ExportGraph
from application.shared.actor import Actor
from domain.graph.process_map import Window
from domain.identity.model import Role
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor, requires_role
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems
from entrypoints.http.slow_clients import close_when_done

ZIP = "application/zip"


def _download(body: SpooledBody, filename: str) -> Stream:
    return Stream(
        body,
        media_type=ZIP,
        background=BackgroundTask(body.aclose),
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",  # personal data: never kept by a cache on the way
        },
    )


class PersonalDataController(Controller):
    tags = ["Account"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @get("/me/export", media_type=ZIP, responses=problems(401, 503))
    async def export(
        self,
        actor: NamedDependency[Actor],
        export_personal_data: NamedDependency[ExportPersonalData],
        export_spool: NamedDependency[ExportSpool],
    ) -> Stream:
        """Everything Atlas keeps about you in this tenant: a ZIP of JSON files and a manifest."""
        files = export_personal_data.execute(actor)
        tenant = str(actor.tenant_id)
        body = await export_spool.written(zipped(files), tenant)  # the transaction ends here
        close_when_done(body.aclose)
        return _download(body, "atlas-personal-data.zip")


class TenantExportController(Controller):
    tags = ["Tenant"]
    guards = [requires_role(Role.OWNER)]
    security = BEARER_REQUIRED

    @get("/tenant/export", media_type=ZIP, responses=problems(401, 403, 503))
    async def export(
        self,
        actor: NamedDependency[Actor],
        export_tenant: NamedDependency[ExportTenant],
        export_graph: NamedDependency[ExportGraph],
        export_spool: NamedDependency[ExportSpool],
    ) -> Stream:
        """The tenant (owners): settings, members, connections without tokens, and the graph
        as OCEL 2.0 JSON, in one ZIP with a manifest."""
        graph = ocel_json(export_graph.execute(actor, Window(start=None, end=None)))
        files = export_tenant.execute(actor, graph)
        body = await export_spool.written(zipped(files), str(actor.tenant_id))
        close_when_done(body.aclose)
        return _download(body, "atlas-tenant.zip")


def routes(container: Application) -> Router:
    personal_data: Any = container.use_cases.personal_data
    return Router(
        path="/api/v1",
        route_handlers=[PersonalDataController, TenantExportController],
        dependencies={
            "export_personal_data": provide(personal_data.export_personal_data),
            "export_tenant": provide(personal_data.export_tenant),
            "export_graph": provide(container.use_cases.export_graph),
            "export_spool": provide(container.adapters.export_spool),
        },
    )
