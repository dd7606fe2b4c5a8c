"""Browser sessions: the refresh token lives in an HttpOnly ``__Host-`` cookie, not in the page.

A request opts in with ``X-Atlas-Client: web``. Such a request must carry an ``Origin`` that is
exactly one of the app origins (``ATLAS_APP_ORIGIN``), or it is refused with 403 ``auth.csrf``
before anything else happens. That pair is the CSRF defence: a custom header cannot be sent
cross-site without a CORS preflight, which only the app origins pass, and a form or a plain
link can send neither. ``SameSite=Strict`` on the cookie is the second lock.

The cookie is read in exactly one place, ``POST /api/v1/auth/refresh``, and only for a web
request that passed the Origin check. The ``__Host-`` prefix requires ``Path=/`` and forbids
``Domain`` (RFC 6265bis §4.1.3.2), so the browser sends the cookie with every request to this
origin; it cannot be path-limited to /api/v1/auth. Nothing else in the API may look at cookies:
authentication elsewhere is the bearer access token only (entrypoints/http/auth.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request

from domain.shared.errors import Forbidden

REFRESH_COOKIE = "__Host-atlas_refresh"
CLIENT_HEADER = "x-atlas-client"
WEB_CLIENT = "web"
# harden_response (security.py) adds this Set-Cookie to whatever response goes out, errors too.
SET_COOKIE_KEY = "atlas.set_cookie"
_ATTRIBUTES = "Path=/; Secure; HttpOnly; SameSite=Strict"


class CrossSiteRequest(Forbidden):
    code = "auth.csrf"
    default_message = "This request did not come from the Atlas app's own origin."


def refresh_cookie(token: str, max_age: int) -> str:
    return f"{REFRESH_COOKIE}={token}; {_ATTRIBUTES}; Max-Age={max_age}"


def cleared_cookie() -> str:
    return f"{REFRESH_COOKIE}=; {_ATTRIBUTES}; Max-Age=0"


@dataclass(frozen=True, slots=True)
class BrowserSessions:
    origins: tuple[str, ...]  # exact, from settings.app_origins
    max_age: int  # the refresh idle lifetime, in seconds

    def is_web(self, request: Request[Any, Any, Any]) -> bool:
        """Whether the app sent this; raises ``CrossSiteRequest`` when the header is there
        but the Origin is missing or not exactly an app origin."""
        if request.headers.get(CLIENT_HEADER) != WEB_CLIENT:
            return False
        if request.headers.get("origin") not in self.origins:
            raise CrossSiteRequest()
        return True

    def cookie(self, request: Request[Any, Any, Any]) -> str | None:
        """The refresh token from the cookie. Call only after ``is_web`` returned True."""
        value = request.cookies.get(REFRESH_COOKIE)
        return value or None

    def keep(self, request: Request[Any, Any, Any], token: str) -> None:
        _set_cookie(request, refresh_cookie(token, self.max_age))

    def clear(self, request: Request[Any, Any, Any]) -> None:
        _set_cookie(request, cleared_cookie())

    def clear_if_web(self, request: Request[Any, Any, Any]) -> None:
        """Signing out: clearing the cookie grants nothing, so no Origin check is needed."""
        if request.headers.get(CLIENT_HEADER) == WEB_CLIENT:
            self.clear(request)


def _set_cookie(request: Request[Any, Any, Any], header: str) -> None:
    request.scope.setdefault("state", {})[SET_COOKIE_KEY] = header
