"""The browser app (web/dist, built by Vite), served from the API's own origin.

``GET /`` and each of the app's screens answer ``index.html`` (the app routes on the client),
with the app's CSP and ``no-store``; ``/assets/<name>`` are content-hashed, so they are cached
for a year as immutable. A ``.gz`` sibling written at build time (web/scripts/compress.mjs) is
sent when the client accepts gzip. Paths never come from the request: a name is checked against
a strict pattern, resolved, and must still sit directly in the assets directory (no ``..``, no
separators, no symlinks out). Unknown names are 404, never index.html.

The screens are listed (``SCREENS``) rather than matched by a catch-all, so an unknown path is
still a 404 problem and the API's namespaces (/api, /schema, /docs, /sandbox, /oauth,
/.well-known, /health, /ready) can never be shadowed. A new screen in web/src is added here.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import anyio
from litestar import Request, Response, Router, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from domain.shared.errors import Unavailable
from entrypoints.http.security import CACHE_KEY, CSP_KEY, app_csp, websocket_origin
from entrypoints.settings import Settings

log = logging.getLogger("atlas.web")

SCREENS = [
    "/",
    "/signin",
    "/signup",
    "/accept-invitation",
    "/verify-email",
    "/maps",
    "/connections",
    "/connect",
    "/integrations",
    "/entities",
    "/entities/{entity_id:str}",
    "/import",
    "/members",
    "/api-keys",
    "/audit",
    "/account",
]
IMMUTABLE = "public, max-age=31536000, immutable"
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)+")
_TYPES = {  # Litestar appends "; charset=utf-8" to text/*
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".wasm": "application/wasm",
}


class WebNotBuilt(Unavailable):
    code = "web.not_built"
    default_message = "The browser app is not built on this server."


def accepts_gzip(accept_encoding: str | None) -> bool:
    """RFC 9110 §12.5.3: gzip (or *) with a q above 0; an explicit gzip;q=0 wins over *."""
    weights: dict[str, float] = {}
    for item in (accept_encoding or "").split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        weight = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[coding.lower()] = weight
    return weights.get("gzip", weights.get("*", 0.0)) > 0


def file_in(directory: Path, name: str) -> Path | None:
    """``directory/name`` if ``name`` is a plain file name of a regular file directly in
    ``directory`` (after resolving symlinks); None for anything else, traversal included."""
    if not _NAME.fullmatch(name) or name.endswith(".gz"):
        return None
    try:
        base = directory.resolve(strict=True)
        path = (base / name).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return path if path.parent == base and path.is_file() else None


class WebApp:
    def __init__(self, root: Path, csp: str) -> None:
        self.root, self.csp = root, csp

    async def page(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        index = file_in(self.root, "index.html")
        if index is None:
            log.warning("no built app at %s: run `make web`", self.root)
            raise WebNotBuilt(
                "The browser app has not been built: run `make web` (or `make run`), "
                "or point ATLAS_WEB_DIR at a built web/dist."
            )
        request.scope.setdefault("state", {})[CSP_KEY] = self.csp
        return await _send(request, index)  # Cache-Control stays no-store

    async def asset(self, request: Request[Any, Any, Any], name: str) -> Response[bytes]:
        path = file_in(self.root / "assets", name)
        if path is None:
            raise NotFoundException()
        request.scope.setdefault("state", {})[CACHE_KEY] = IMMUTABLE
        return await _send(request, path)

    async def root_file(self, request: Request[Any, Any, Any], name: str) -> Response[bytes]:
        path = file_in(self.root, name)
        if path is None:
            raise NotFoundException()
        return await _send(request, path)


async def _send(request: Request[Any, Any, Any], path: Path) -> Response[bytes]:
    media_type = _TYPES.get(path.suffix, "application/octet-stream")
    headers = {"Vary": "Accept-Encoding"}
    packed = path.with_name(path.name + ".gz")  # beside the original, so no traversal either
    if accepts_gzip(request.headers.get("accept-encoding")) and packed.is_file():
        headers["Content-Encoding"] = "gzip"
        path = packed
    body = await anyio.Path(path).read_bytes()
    return Response(body, media_type=media_type, headers=headers)


def web_routes(settings: Settings) -> Router:
    feed = websocket_origin(settings.integrations.public_url)
    site = WebApp(settings.web_dir, app_csp(feed))

    @get(SCREENS, include_in_schema=False)
    async def page(request: Request[Any, Any, Any]) -> Response[bytes]:
        return await site.page(request)

    @get("/assets/{name:str}", include_in_schema=False)
    async def asset(request: Request[Any, Any, Any], name: FromPath[str]) -> Response[bytes]:
        return await site.asset(request, name)

    @get("/favicon.svg", include_in_schema=False)
    async def favicon(request: Request[Any, Any, Any]) -> Response[bytes]:
        return await site.root_file(request, "favicon.svg")

    return Router(path="/", route_handlers=[page, asset, favicon])
