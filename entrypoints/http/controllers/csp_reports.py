"""``POST /api/v1/csp-reports``: where browsers report what the app's CSP blocked.

No authentication (browsers send reports on their own), a 16 KiB body limit, and a bounded log:
at most ``LOG_LIMIT`` lines a minute per process, the rest counted and dropped. Each line names
the violated directive and the blocked URI, cut to scheme, host and path: query strings and
fragments can carry tokens, and the report body itself is never logged. Both formats are read:
``application/csp-report`` (report-uri) and ``application/reports+json`` (the Reporting API).
Every body, well-formed or not, gets 204: a reporter learns nothing, and nothing here can 500.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import urlsplit

import msgspec
from litestar import Request, Router, post
from litestar.status_codes import HTTP_204_NO_CONTENT

from entrypoints.http.problems import problems
from entrypoints.http.security import CSP_REPORTS_PATH

log = logging.getLogger("atlas.csp")

BODY_LIMIT = 16 * 1024
LOG_LIMIT = 60  # lines a minute, per process
MAX_REPORTS = 20  # per request
_FIELD = 200  # characters kept of each logged value
_KEYWORDS = {"inline", "eval", "self", "data", "blob", "wasm-eval", "trusted-types-policy"}


class ReportLog:
    """Logs at most ``limit`` violations per ``window`` seconds; drops and counts the rest."""

    def __init__(self, limit: int = LOG_LIMIT, window: float = 60.0) -> None:
        self._limit, self._window = limit, window
        self._started, self._logged, self.dropped = time.monotonic(), 0, 0

    def violation(self, directive: str, blocked: str, document: str) -> None:
        now = time.monotonic()
        if now - self._started >= self._window:
            if self.dropped:
                log.warning("csp violations: %d more dropped (log limit)", self.dropped)
            self._started, self._logged, self.dropped = now, 0, 0
        if self._logged >= self._limit:
            self.dropped += 1
            return
        self._logged += 1
        log.warning(
            "csp violation: directive=%s blocked=%s document=%s", directive, blocked, document
        )


def reports_in(body: bytes) -> list[tuple[str, str, str]]:
    """(directive, blocked URI, document URI) of each report in either format; [] if none."""
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return []
    if isinstance(decoded, dict) and isinstance(decoded.get("csp-report"), dict):
        report = decoded["csp-report"]
        directive = report.get("effective-directive") or report.get("violated-directive")
        found = [(directive, report.get("blocked-uri"), report.get("document-uri"))]
    elif isinstance(decoded, list):
        found = [
            (
                item["body"].get("effectiveDirective"),
                item["body"].get("blockedURL"),
                item["body"].get("documentURL"),
            )
            for item in decoded[:MAX_REPORTS]
            if isinstance(item, dict)
            and item.get("type") == "csp-violation"
            and isinstance(item.get("body"), dict)
        ]
    else:
        return []
    return [(_text(d), _uri(b), _uri(u)) for d, b, u in found]


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value:
        return "-"
    printable = "".join(c if c.isprintable() and c not in "\"'\\" else "?" for c in value)
    return printable[:_FIELD]


def _uri(value: Any) -> str:
    """Scheme, host and path only: no query, no fragment, no credentials."""
    text = _text(value)
    if text == "-" or text in _KEYWORDS or ":" not in text:
        return text
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "?"
    if not parts.netloc:
        return parts.scheme or "?"  # data:, blob:, about: ... never their contents
    return f"{parts.scheme}://{host}{port}{parts.path}"[:_FIELD]


def routes() -> Router:
    reports = ReportLog()

    @post(
        CSP_REPORTS_PATH.removeprefix("/api/v1"),
        status_code=HTTP_204_NO_CONTENT,
        request_max_body_size=BODY_LIMIT,
        tags=["Security"],
        responses=problems(413),
    )
    async def csp_report(request: Request[Any, Any, Any]) -> None:
        """A browser's CSP violation report (application/csp-report or reports+json)."""
        for directive, blocked, document in reports_in(await request.body()):
            reports.violation(directive, blocked, document)

    return Router(path="/api/v1", route_handlers=[csp_report])
