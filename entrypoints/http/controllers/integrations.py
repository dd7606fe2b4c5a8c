"""The provider catalog over HTTP: what each provider lets Atlas read, and never store."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Router, get
from litestar.di import NamedDependency

from application.integrations.connections import ListProviders
from entrypoints.container import Application
from entrypoints.http.auth import requires_actor
from entrypoints.http.controllers.integrations_schemas import ProviderList, ProviderView
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems


class IntegrationsController(Controller):
    path = "/integrations"
    tags = ["Integrations"]
    guards = [requires_actor]
    security = BEARER_REQUIRED

    @get("/", summary="Providers Atlas connects to: scopes, what is read, what is never stored",
         responses=problems(401))  # fmt: skip
    async def list_providers(self, list_providers: NamedDependency[ListProviders]) -> ProviderList:
        return ProviderList(items=[ProviderView.of(p) for p in await list_providers.execute()])


def routes(container: Application) -> Router:
    integrations: Any = container.use_cases.integrations
    return Router(
        path="/api/v1",
        route_handlers=[IntegrationsController],
        dependencies={
            "list_providers": provide(integrations.list_providers),
        },
    )
