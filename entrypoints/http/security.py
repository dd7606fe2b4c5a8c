"""Hardening on every response: security headers, CORS to the app origins, body size limit.

The headers are set in an app-level ``before_send`` hook because it sees every response
Litestar sends, including the router's own 404 and 405 and the 500s, which ``response_headers``
and middleware miss (security.md R6.2). The interactive docs page gets its own CSP with a
per-response nonce (its scripts and styles come from a CDN and one inline block); the browser
app's pages get the app's CSP (``app_csp``) and its hashed assets a long cache (entrypoints/http/
web.py sets both in the request's state); everything else, ``/schema/openapi.json`` included,
gets the API's ``default-src 'none'`` and ``no-store``.
"""

from __future__ import annotations

import secrets
from typing import Any

from litestar import Request
from litestar.config.cors import CORSConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.types import Message, Scope

from entrypoints.http.browser_session import SET_COOKIE_KEY

NONCE_KEY = "atlas.csp_nonce"
CSP_KEY = "atlas.csp"  # a handler's own CSP (the app's pages)
CACHE_KEY = "atlas.cache_control"  # a handler's own Cache-Control (the app's hashed assets)
CSP_REPORTS_PATH = "/api/v1/csp-reports"
SANDBOX_PREFIX = "/sandbox"
REQUEST_BODY_LIMIT = 1024 * 1024  # 1 MiB: identity bodies are tiny; uploads set their own
DOCS_CDN = "https://cdn.jsdelivr.net"

API_CSP = (
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'; "
    "form-action 'none'"
)
SECURITY_HEADERS = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
        "microphone=(), payment=(), usb=()"
    ),
    "x-permitted-cross-domain-policies": "none",
}
REMOVED_HEADERS = ("server", "x-powered-by")
CORS_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# X-Import-Id and X-File-Name travel with a graph import's raw body.
# X-Atlas-Client: web marks the browser app's auth calls (browser_session.py).
CORS_HEADERS = ["Authorization", "Content-Type", "X-Import-Id", "X-File-Name", "X-Atlas-Client"]


def app_csp(feed_origin: str) -> str:
    """The browser app's pages: only its own files, no inline code, no eval; the feed's
    WebSocket at ``feed_origin`` (wss://…). Reports go to the API's CSP report endpoint."""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"font-src 'self'; connect-src 'self' {feed_origin}; worker-src 'self'; "
        "manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
        f"object-src 'none'; report-uri {CSP_REPORTS_PATH}"
    )


def websocket_origin(origin: str) -> str:
    """https://host:port -> wss://host:port (http -> ws, development without TLS)."""
    scheme, sep, rest = origin.partition("://")
    return ("wss" if scheme == "https" else "ws") + sep + rest


def docs_csp(nonce: str) -> str:
    source = f"'nonce-{nonce}' {DOCS_CDN}"
    return (
        f"default-src 'none'; script-src {source}; style-src {source}; "
        f"img-src 'self' data: {DOCS_CDN}; font-src {DOCS_CDN}; connect-src 'self'; "
        "frame-ancestors 'none'; base-uri 'none'; object-src 'none'; form-action 'none'"
    )


async def harden_response(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name in REMOVED_HEADERS:
        del headers[name]
    for name, value in SECURITY_HEADERS.items():
        headers[name] = value
    state = scope.get("state", {})
    if cache_control := state.get(CACHE_KEY):
        headers["cache-control"] = cache_control
    nonce = state.get(NONCE_KEY)
    if not _keeps_own_csp(scope, headers):
        own = state.get(CSP_KEY)
        headers["content-security-policy"] = own or (docs_csp(nonce) if nonce else API_CSP)
    if "access-control-allow-origin" not in headers:
        # Litestar sends allow-credentials to every origin; only an admitted one needs it.
        del headers["access-control-allow-credentials"]
    if cookie := state.get(SET_COOKIE_KEY):
        headers.add("set-cookie", cookie)
    # Answers differ by Origin (CORS), so shared caches must key on it.
    vary = headers.get("vary")
    if vary is None:
        headers["vary"] = "Origin"
    elif "origin" not in vary.lower():
        headers["vary"] = f"{vary}, Origin"


def _keeps_own_csp(scope: Scope, headers: MutableScopeHeaders) -> bool:
    # The development sandbox's consent page is a real HTML form with its own strict,
    # hash-based CSP (form-action limited to itself and the client's callback); the API's
    # form-action 'none' would make it unusable. Nothing outside /sandbox keeps its own.
    # raw_path: Litestar rewrites "path" for mounted apps, the original request path stays here.
    raw_path = scope.get("raw_path") or str(scope.get("path", "")).encode()
    mounted = bytes(raw_path).startswith(SANDBOX_PREFIX.encode() + b"/")
    return mounted and "content-security-policy" in headers


def cors_config(origins: tuple[str, ...]) -> CORSConfig:
    # Settings already refuse wildcards; refuse again here because Litestar treats any '*'
    # in an entry as "allow everything".
    if not origins or any("*" in origin for origin in origins):
        raise ValueError("CORS needs exact origins, never a wildcard")
    return CORSConfig(
        allow_origins=list(origins),
        allow_methods=list(CORS_METHODS),  # type: ignore[arg-type]
        allow_headers=list(CORS_HEADERS),
        expose_headers=["Retry-After"],
        # The app on another origin (a CDN) refreshes with its cookie. Safe only because the
        # origins are exact: never combine credentials with a wildcard (R6.3).
        allow_credentials=True,
        max_age=600,
    )


class NoncedSwagger(SwaggerRenderPlugin):
    """Swagger UI whose scripts and styles carry this response's CSP nonce."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        nonce = secrets.token_urlsafe(16)
        request.scope.setdefault("state", {})[NONCE_KEY] = nonce
        page = super().render(request, openapi_schema)
        attribute = f' nonce="{nonce}"'.encode()
        return (
            page.replace(b"<script", b"<script" + attribute)
            .replace(b"<style", b"<style" + attribute)
            .replace(b'rel="stylesheet"', b'rel="stylesheet"' + attribute)
        )
