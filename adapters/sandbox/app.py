"""The sandbox as one ASGI app: every provider under its own prefix, plus the control API."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Litestar, Request, Response, Router
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, Scope, Send

from adapters.sandbox.fault_layer import FaultLayer
from adapters.sandbox.oauth.profile import Profile
from adapters.sandbox.providers.google.routes import build as google
from adapters.sandbox.providers.hubspot.routes import build as hubspot
from adapters.sandbox.providers.jira.routes import build as jira
from adapters.sandbox.providers.salesforce.routes import build as salesforce
from adapters.sandbox.providers.slack.routes import build as slack
from adapters.sandbox.providers.zendesk.routes import build as zendesk
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox

log = logging.getLogger("atlas.sandbox")

PROVIDER_BUILDERS = (salesforce, hubspot, google, slack, zendesk, jira)


def create_sandbox_app(sandbox: Sandbox) -> Litestar:
    profiles: dict[str, Profile] = {}
    routers: list[Router] = []
    for build in PROVIDER_BUILDERS:
        profile, provider_router = build(sandbox)
        profiles[profile.name] = profile
        routers.append(provider_router)
    if sandbox.config.control_api:
        from adapters.sandbox.control import router as control_router

        routers.append(control_router())

    def faults(app: ASGIApp) -> ASGIApp:
        return FaultLayer(app, sandbox, profiles)

    return Litestar(
        route_handlers=routers,
        state=State({"sandbox": sandbox, "profiles": profiles}),
        middleware=[faults],
        exception_handlers={
            ProviderError: _provider_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        openapi_config=None,
        logging_config=None,  # the host process's logging stays as configured (Atlas's format)
        debug=False,
    )


def _provider_error(_: Request[Any, Any, Any], error: ProviderError) -> Response[bytes]:
    return error.reply.to_response()


def _http_error(_: Request[Any, Any, Any], error: HTTPException) -> Response[bytes]:
    body = {
        "error": "not_found" if error.status_code == 404 else "bad_request",
        "status": error.status_code,
    }
    return Reply(status=error.status_code, body=body).to_response()


def _unexpected(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    log.error("sandbox error on %s %s", request.method, request.url.path, exc_info=error)
    return Reply(status=500, body={"error": "internal"}).to_response()


class Mounted:
    """The sandbox under a path prefix of another ASGI app (``/sandbox`` in development).

    The prefix becomes ``root_path``, so the links the providers return (``instance_url``,
    ``nextRecordsUrl``, ``after_url``) carry it, as links from a real provider would.
    """

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self._app, self._prefix = app, prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if path.startswith(self._prefix):
            path = path[len(self._prefix) :] or "/"
        root = scope.get("root_path", "") + self._prefix
        inner = {**scope, "root_path": root, "path": root + path}
        await self._app(inner, receive, send)  # type: ignore[arg-type]
