"""The provider sandbox mounted at ``/sandbox`` of the development app."""

from __future__ import annotations

from litestar.handlers import ASGIRouteHandler, asgi
from litestar.types import ASGIApp, Receive, Scope, Send

from adapters.sandbox.app import Mounted, create_sandbox_app
from adapters.sandbox.sandbox import Sandbox

PREFIX = "/sandbox"
SANDBOX_OPT = "atlas.sandbox"  # the handler's opt names the sandbox it serves (tests read it)


def sandbox_mount(sandbox: Sandbox) -> ASGIRouteHandler:
    built: list[ASGIApp] = []

    @asgi(PREFIX, is_mount=True, copy_scope=True, opt={SANDBOX_OPT: sandbox})
    async def mounted(scope: Scope, receive: Receive, send: Send) -> None:
        # Built on the first request, so apps that never call the sandbox never pay for it.
        if not built:
            built.append(Mounted(create_sandbox_app(sandbox), PREFIX))
        await built[0](scope, receive, send)

    return mounted
