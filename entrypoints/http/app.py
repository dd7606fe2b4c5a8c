"""The Litestar application factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, get
from litestar.datastructures import State
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.response import Redirect
from litestar.types import ControllerRouterHandler

from adapters.postgres.worker_outages import run_through_outages
from application.feed.messages import GOING_AWAY
from entrypoints import container as composition
from entrypoints.container import Application
from entrypoints.http.auth import CONFIRMER_STATE_KEY, VERIFIER_STATE_KEY, actor_dependency
from entrypoints.http.controllers import (
    api_keys,
    audit,
    auth,
    connections,
    csp_reports,
    email_verification,
    feed,
    graph,
    health,
    integrations,
    jwks,
    me,
    members,
    oauth,
    originals,
    personal_data,
    sync,
    tenant_deletion,
    trust,
)
from entrypoints.http.di import resolve
from entrypoints.http.errors import exception_handlers
from entrypoints.http.metrics import CountedRequests
from entrypoints.http.problems import BEARER
from entrypoints.http.request_ids import request_context_middleware
from entrypoints.http.requests import AtlasRequest, refuse_unstorable_urls
from entrypoints.http.sandbox import sandbox_mount
from entrypoints.http.security import (
    REQUEST_BODY_LIMIT,
    NoncedSwagger,
    cors_config,
    harden_response,
)
from entrypoints.http.slow_clients import bounded_client_time
from entrypoints.http.web import web_routes
from entrypoints.metrics_listener import watch_process
from entrypoints.worker import stop_and_wait, sync_worker

API_VERSION = "0.1.0"


def create_app(container: Application, *, with_worker: bool = False) -> Litestar:
    """``with_worker``: a sync worker runs beside the API in this process (``atlas up``), inside
    the app's lifespan, so it starts after the adapters and stops (gracefully) before them."""

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        await composition.start(container)
        try:
            async with feed_listening(container):
                if not with_worker:
                    yield
                    return
                worker = sync_worker(container)
                running = asyncio.create_task(run_through_outages(worker.run))
                try:
                    yield
                finally:
                    await stop_and_wait(worker, running)
        finally:
            await composition.stop(container)

    settings = container.settings()
    route_handlers: list[ControllerRouterHandler] = [
        health.routes(container),
        # Identity and HTTP security (issue 3)
        auth.routes(container),
        me.routes(container),
        email_verification.routes(container),  # issue 15: a new account proves its address
        members.routes(container),
        jwks.routes(container),
        docs,
        # Vault: customer API keys (issue 4)
        api_keys.routes(container),
        # Context graph and process maps (issue 6)
        graph.routes(container),
        originals.routes(container),  # fetched on demand, never stored (issue 10)
        # Integrations: provider catalog, connections, the OAuth flow (issue 5)
        integrations.routes(container),
        connections.routes(container),
        oauth.routes(container),
        # Sync (issue 9)
        sync.routes(container),
        # The realtime feed (issue 11)
        feed.routes(container),
        # GDPR export and erasure, tenant export (issue 13)
        personal_data.routes(container),
        audit.routes(container),  # compliance (issue 13): the tenant's audit trail
        tenant_deletion.routes(container),  # compliance (issue 13): deletion protection
        # The browser app on the same origin, and its CSP reports (issue 12)
        web_routes(settings),
        csp_reports.routes(),
        # Residency, security contact and the trust page (issue 13)
        trust.routes(container),
    ]
    # Provider sandbox: development only (settings refuse it in production).
    if settings.sandbox:
        route_handlers.append(sandbox_mount(container.adapters.sandbox()))

    app = Litestar(
        route_handlers=route_handlers,
        dependencies={"actor": actor_dependency()},
        state=State(
            {
                VERIFIER_STATE_KEY: container.adapters.access_tokens,
                CONFIRMER_STATE_KEY: container.use_cases.identity.confirm_session,  # type: ignore[attr-defined]
            }
        ),
        lifespan=[lifespan],
        exception_handlers=exception_handlers(),
        openapi_config=OpenAPIConfig(
            title="Atlas API",
            version=API_VERSION,
            path="/schema",
            # The interactive page loads its scripts from a CDN: development only. Production
            # serves the schema itself (/schema/openapi.json) under the API's CSP.
            render_plugins=[JsonRenderPlugin()] if settings.production else [NoncedSwagger()],
            components=Components(
                security_schemes={
                    BEARER: SecurityScheme(
                        type="http",
                        scheme="bearer",
                        bearer_format="JWT",
                        description="An access token from /api/v1/auth/login (15 min at most)",
                    )
                }
            ),
        ),
        before_send=[harden_response],
        middleware=[
            refuse_unstorable_urls,
            bounded_client_time,
        ],
        cors_config=cors_config(settings.app_origins),
        request_max_body_size=REQUEST_BODY_LIMIT,
        request_class=AtlasRequest,
        # Logging is the process's (entrypoints/log_redaction.py): Litestar's default config
        # would replace the root handler at startup, and with it the format and redaction.
        logging_config=None,
        debug=False,
    )
    # Outside the router and its error handling, so every request gets its id and is counted,
    # 404s included, with the route template the router put in the scope.
    counted = CountedRequests(app.asgi_handler, container.adapters.metrics())
    app.asgi_handler = request_context_middleware(settings.identity.trusted_proxies)(counted)
    return app


@asynccontextmanager
async def feed_listening(container: Application) -> AsyncIterator[None]:
    """This process's LISTEN connection for the feed, for as long as the app runs; the
    sockets still open at shutdown are told to go (1001) and resume elsewhere."""
    listener = await resolve(container.adapters.feed.listener)  # type: ignore[attr-defined]
    hub = await resolve(container.adapters.feed_hub)
    await watch_process(container)
    task = asyncio.create_task(listener.run()) if listener is not None else None
    try:
        yield
    finally:
        hub.close_all(GOING_AWAY)
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await hub.stop()


@get("/docs", include_in_schema=False)
async def docs() -> Redirect:
    return Redirect("/schema/swagger")
