"""``GET /api/v1/feed``: the realtime feed over a WebSocket (the protocol: ``docs/feed.md``).

Refused before the upgrade: an ``Origin`` that is not one of ``ATLAS_APP_ORIGIN`` (browsers
always send one; other clients send none and must still authenticate), and any query string —
a token never travels in a URL, where proxies and access logs keep it.
"""

from __future__ import annotations

from typing import Any

from litestar import Router, WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.status_codes import WS_1008_POLICY_VIOLATION

from application.feed.messages import Disconnected
from application.feed.stream import FeedStream
from entrypoints.container import Application
from entrypoints.http.di import resolve


class LitestarFeedSocket:
    """The ``FeedSocket`` port over Litestar's WebSocket: text and binary frames alike."""

    def __init__(self, socket: WebSocket[Any, Any, Any]) -> None:
        self._socket = socket

    async def receive(self) -> str | bytes:
        try:
            message = await self._socket.receive()
        except WebSocketDisconnect:
            raise Disconnected() from None
        if message["type"] != "websocket.receive":
            raise Disconnected()
        text = message.get("text")
        return text if text is not None else message.get("bytes") or b""

    async def send(self, text: str) -> None:
        try:
            await self._socket.send_text(text)
        except (WebSocketDisconnect, OSError, RuntimeError):
            raise Disconnected() from None

    async def close(self, code: int) -> None:
        await self._socket.close(code)


def routes(container: Application) -> Router:
    settings = container.settings()
    origins = frozenset(settings.app_origins)

    @websocket("/feed", name="feed")
    async def feed(socket: WebSocket[Any, Any, Any]) -> None:
        origin = socket.headers.get("origin")
        if (origin is not None and origin not in origins) or socket.scope.get("query_string"):
            await socket.receive()  # the handshake's connect event, then a refusal: HTTP 403
            await socket.close(WS_1008_POLICY_VIOLATION)
            return
        await socket.accept()
        stream = FeedStream(
            socket=LitestarFeedSocket(socket),
            hub=await resolve(container.adapters.feed_hub),
            feed=await resolve(container.adapters.member_feed),
            verifier=await resolve(container.adapters.access_tokens),
            confirm=await resolve(container.use_cases.identity.confirm_session),  # type: ignore[attr-defined]
            clock=await resolve(container.adapters.clock),
            limits=settings.feed,
        )
        await stream.run()

    return Router(path="/api/v1", route_handlers=[feed])
