"""Each answered HTTP request, counted by its route template (``/api/v1/entities/{id}``, never
the path itself: labels stay bounded however many ids are asked for) and timed.

An outer ASGI layer, so requests no route matched are counted too (as ``unmatched``); the
template is the one Litestar's router put in the scope.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any, cast

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.metrics.prometheus import PrometheusMetrics
from application.shared.request_context import note

UNMATCHED = "unmatched"


class CountedRequests:
    def __init__(self, app: ASGIApp, metrics: PrometheusMetrics) -> None:
        self._app, self._metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:  # the feed's websockets have their own metrics
            await self._app(scope, receive, send)
            return
        started, status = time.perf_counter(), 500

        async def noting(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                # Before the server's access line is written (it is, as the answer starts).
                route = _route(scope)
                taken = round((time.perf_counter() - started) * 1000, 1)
                note(route=route, status=status, duration_ms=taken)
            await send(message)

        try:
            await self._app(scope, receive, noting)
        finally:
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            self._metrics.http_answered(
                _route(scope), method, status, time.perf_counter() - started
            )


def _route(scope: Scope) -> str:
    # The router's key is not in Litestar's scope type: read it without copying the scope.
    template = cast("Mapping[str, Any]", scope).get("path_template")
    return str(template or UNMATCHED)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
