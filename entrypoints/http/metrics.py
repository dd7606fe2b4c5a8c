"""Each answered HTTP request, counted by its route template (``/api/v1/entities/{id}``, never
the path itself: labels stay bounded however many ids are asked for) and timed.

An outer ASGI layer, so requests no route matched are counted too (as ``unmatched``); the
template is the one Litestar's router put in the scope.
"""

from __future__ import annotations

import time
from typing import Any

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
                route = str(dict(scope).get("path_template") or UNMATCHED)
                taken = round((time.perf_counter() - started) * 1000, 1)
                note(route=route, status=status, duration_ms=taken)
            await send(message)

        try:
            await self._app(scope, receive, noting)
        finally:
            seen: dict[str, Any] = dict(scope)
            route = str(seen.get("path_template") or UNMATCHED)
            method = seen["method"] if seen.get("method") in _METHODS else "OTHER"
            self._metrics.http_answered(route, method, status, time.perf_counter() - started)


_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
