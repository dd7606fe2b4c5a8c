"""A signed-in session with the Atlas HTTP API, for command-line clients such as ``atlas feed``.

Signs in once with a password (which is not kept), then lives on its refresh token: each
refresh rotates the pair, as ``POST /api/v1/auth/refresh`` requires. Tokens are held as
``Secret`` so no repr, log line or traceback shows them.
"""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import UUID

import httpx

from domain.shared.secret import Secret
from entrypoints.feed_client import FeedStopped, TryAgain

_SIGN_IN_REFUSED = {
    401: "sign-in refused: wrong email or password",
    403: "sign-in refused: the account is disabled or not a member of that tenant",
    404: "sign-in refused: no such tenant for this account",
    429: "sign-in refused for now: too many attempts; wait a minute",
}


class ApiSession:
    """The ``TokenSource`` of a ``FeedClient`` over HTTP."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http
        self._access: Secret[str] = Secret("")
        self._refresh: Secret[str] = Secret("")
        self._expires_at = 0.0
        self._lifetime = 0.0
        self.tenant_id: UUID | None = None
        self.user_id: UUID | None = None

    async def sign_in(self, email: str, password: Secret[str], tenant_id: UUID | None) -> None:
        body: dict[str, Any] = {"email": email, "password": password.reveal()}
        if tenant_id is not None:
            body["tenant_id"] = str(tenant_id)
        answer = await self._post("/api/v1/auth/login", body)
        if answer.status_code != 200:
            raise FeedStopped(
                _SIGN_IN_REFUSED.get(answer.status_code)
                or f"sign-in failed: HTTP {answer.status_code}{_code(answer)}"
            )
        self._keep(answer.json())

    def access_token(self) -> str:
        return self._access.reveal()

    def expires_at(self) -> float:
        return self._expires_at

    def lifetime(self) -> float:
        return self._lifetime

    async def refresh(self) -> None:
        answer = await self._post("/api/v1/auth/refresh", {"refresh_token": self._refresh.reveal()})
        if answer.status_code == 401:
            raise FeedStopped("the session is over (its refresh token was refused); sign in again")
        if answer.status_code != 200:
            raise TryAgain(f"refresh: HTTP {answer.status_code}")
        self._keep(answer.json())

    async def _post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        try:
            answer = await self._http.post(path, json=body)
        except httpx.TransportError as failure:
            raise TryAgain(type(failure).__name__) from None
        if answer.status_code >= 500:
            raise TryAgain(f"HTTP {answer.status_code}")
        return answer

    def _keep(self, tokens: dict[str, Any]) -> None:
        self._access = Secret(str(tokens["access_token"]))
        self._refresh = Secret(str(tokens["refresh_token"]))
        self._lifetime = float(tokens["expires_in"])
        self._expires_at = asyncio.get_running_loop().time() + self._lifetime
        self.tenant_id, self.user_id = UUID(tokens["tenant_id"]), UUID(tokens["user_id"])


def _code(answer: httpx.Response) -> str:
    if answer.headers.get("content-type", "").startswith("application/problem+json"):
        return f" ({answer.json().get('code')})"
    return ""
