"""HTTP helpers for the browser app's cookie session (X-Atlas-Client: web)."""

from __future__ import annotations

from typing import Any

from httpx import Response

from entrypoints.http.browser_session import REFRESH_COOKIE

APP_ORIGIN = "https://127.0.0.1:8443"  # the development default of ATLAS_APP_ORIGIN
ATTRIBUTES = "Path=/; Secure; HttpOnly; SameSite=Strict"


def web(origin: str | None = APP_ORIGIN, cookie: str | None = None) -> dict[str, str]:
    headers = {"X-Atlas-Client": "web"}
    if origin is not None:
        headers["Origin"] = origin
    if cookie is not None:
        headers["Cookie"] = f"{REFRESH_COOKIE}={cookie}"
    return headers


def set_cookie(response: Response) -> str | None:
    """The one Set-Cookie header of the response, if any (there is never more than one)."""
    values = response.headers.get_list("set-cookie")
    assert len(values) <= 1, values
    return values[0] if values else None


def refresh_cookie_of(response: Response) -> str:
    header = set_cookie(response)
    assert header is not None, response.text
    name, _, rest = header.partition("=")
    assert name == REFRESH_COOKIE
    value = rest.partition("; ")[0]
    assert value
    return value


def credentials(email: str, password: str) -> dict[str, Any]:
    return {"email": email, "password": password}
