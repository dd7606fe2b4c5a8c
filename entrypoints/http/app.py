"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin

from entrypoints import container as composition
from entrypoints.container import Application
from entrypoints.http.auth import VERIFIER_STATE_KEY, actor_dependency
from entrypoints.http.controllers import graph, health
from entrypoints.http.errors import exception_handlers

API_VERSION = "0.1.0"


def create_app(container: Application) -> Litestar:
    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await composition.start(container)
        try:
            yield
        finally:
            await composition.stop(container)

    return Litestar(
        route_handlers=[health.routes(container), graph.routes(container)],
        dependencies={"actor": actor_dependency()},
        state=State({VERIFIER_STATE_KEY: container.adapters.access_tokens}),
        lifespan=[lifespan],
        exception_handlers=exception_handlers(),
        openapi_config=OpenAPIConfig(
            title="Atlas API",
            version=API_VERSION,
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
        ),
        debug=False,
    )
