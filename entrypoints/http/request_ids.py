"""Every request gets an id and a client address, for the audit trail and for the client.

The id is the caller's ``X-Request-Id`` when it is a short, safe token (a proxy's or a client's
correlation id), else a fresh one; either way it is returned as ``X-Request-Id``. The address
is the peer, or the nearest untrusted hop a trusted proxy reports (the rate limits' rule).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from litestar.datastructures import MutableScopeHeaders
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from application.shared.request_context import RequestContext, in_request
from entrypoints.http.client import client_address
from entrypoints.settings_identity import Network

HEADER = "x-request-id"
_SAFE = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_of(presented: str | None) -> str:
    if presented is not None and _SAFE.fullmatch(presented):
        return presented
    return secrets.token_hex(12)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def request_context_middleware(trusted: tuple[Network, ...]) -> Callable[[ASGIApp], ASGIApp]:
    def middleware(app: ASGIApp) -> ASGIApp:
        async def with_context(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] not in ("http", "websocket"):
                await app(scope, receive, send)
                return
            request_id = request_id_of(_header(scope, HEADER.encode()))
            client = scope.get("client")
            peer = client[0] if client else None
            address = client_address(peer, _header(scope, b"x-forwarded-for"), trusted) or ""

            async def send_with_id(message: Message) -> None:
                if message["type"] == "http.response.start":
                    MutableScopeHeaders.from_message(message)[HEADER] = request_id
                await send(message)

            context = RequestContext(request_id=request_id, address=address[:100])
            with in_request(context):
                await app(scope, receive, send_with_id)

        return with_context

    return middleware
