"""Who may drive the control API, and which redirect URIs it may register.

Every control request presents the key from the data directory (``control_key.py``); a request
without it (401) or with another (403) is refused before its handler runs, so it changes
nothing. Even with the key, a client registered at run time may only send people back to a
loopback address or to an origin the sandbox was started with (Atlas's own callbacks): the
sandbox's authorize endpoint is never a way off to somewhere else.
"""

from __future__ import annotations

import ipaddress
from typing import Any, cast
from urllib.parse import urlsplit

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from adapters.sandbox.config import ClientRegistration
from adapters.sandbox.control_key import CONTROL_HEADER, presents
from adapters.sandbox.sandbox import Sandbox


class ControlRefused(Exception):
    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail = status, code, detail


def require_control_key(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    """A Litestar guard: runs before the handler, so a refused request has no effect."""
    given = connection.headers.get(CONTROL_HEADER)
    if given is None:
        raise ControlRefused(
            401,
            "control_key_required",
            f"send the key from <data dir>/sandbox/control.key in the {CONTROL_HEADER} header",
        )
    sandbox = cast(Sandbox, connection.app.state.sandbox)
    if not presents(given, sandbox.config.control_key):
        raise ControlRefused(403, "control_key_invalid", f"{CONTROL_HEADER} is not the key")


def foreign_redirects(
    uris: tuple[str, ...], started_with: tuple[ClientRegistration, ...]
) -> list[str]:
    """The URIs that lead neither to a loopback address nor to an origin configured at start."""
    known = {_origin(uri) for registration in started_with for uri in registration.redirect_uris}
    return [uri for uri in uris if not (_loopback(uri) or _origin(uri) in known)]


def _origin(uri: str) -> tuple[str, str, int | None] | None:
    # A browser reads a backslash as a slash where urlsplit reads it as part of the user info:
    # http://evil.example<backslash>@127.0.0.1/ would look like loopback here, and lead off there.
    if "\\" in uri or not uri.isprintable() or " " in uri:
        return None
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
        return None
    return parts.scheme, parts.hostname.lower(), port


def _loopback(uri: str) -> bool:
    origin = _origin(uri)
    if origin is None:
        return False
    host = origin[1]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
