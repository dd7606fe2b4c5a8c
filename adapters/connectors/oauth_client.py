"""The OAuth client: code exchange, refresh and revocation at each provider, over httpx.

``verify=True``, explicit timeouts shorter than the refresh lock's, redirects never followed,
parameters only in request bodies, and nothing of a request or response logged beyond the
provider and a short code. The transport is injectable so tests (and the development app)
talk to the sandbox in-process.

One deadline covers each operation whole, not each call: a refresh is one call, or two in a
row for Salesforce (the token, then introspection for its expiry), and the caller holds the
connection's row lock for all of it, so the two share the deadline and the refresh can never
outlive a lock timeout set longer than it. Introspection gets only what is left, and running
out there keeps the new tokens (the old refresh token may already be spent) without an expiry.
"""

from __future__ import annotations

import asyncio
import base64
import ssl
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
import msgspec

from adapters.connectors.token_responses import classify, parse_grant
from application.integrations.directory import Provider
from application.integrations.ports import ProviderClient
from application.shared.ports import Clock
from domain.integrations.errors import ProviderCallFailed, ProviderRefused, ProviderTransient
from domain.integrations.grant import TokenGrant
from domain.shared.secret import Secret
from domain.vault.oauth import OAuthTokens

DEFAULT_TIMEOUT_SECONDS = 20.0
POOL_CONNECTIONS = 64  # open at once to every provider, by one process


class HttpProviderClient(ProviderClient):
    def __init__(
        self,
        http: httpx.AsyncClient,
        clock: Clock,
        deadline_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    ) -> None:
        self._http, self._clock, self._deadline = http, clock, deadline_seconds

    async def exchange(
        self, provider: Provider, code: Secret[str], verifier: Secret[str] | None
    ) -> TokenGrant:
        form = {
            "grant_type": "authorization_code",
            "code": code.reveal(),
            "redirect_uri": provider.redirect_uri,
        }
        if verifier is not None:
            form["code_verifier"] = verifier.reveal()
        until = self._until()
        grant = parse_grant(provider.spec, await self._token_call(provider, form, until))
        grant = await self._with_expiry(provider, grant, until)
        return await self._with_site(provider, grant, until)

    async def refresh(self, provider: Provider, refresh_token: Secret[str]) -> TokenGrant:
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token.reveal()}
        until = self._until()
        grant = parse_grant(provider.spec, await self._token_call(provider, form, until))
        return await self._with_expiry(provider, grant, until)

    async def revoke(self, provider: Provider, tokens: OAuthTokens) -> None:
        spec, style = provider.spec, provider.spec.revocation
        if spec.revoke_url is None or style is None:
            raise ProviderRefused("unsupported")
        bearer = {"Authorization": f"Bearer {tokens.access_token.reveal()}"}
        token = (tokens.refresh_token or tokens.access_token).reveal()
        until = self._until()
        if style == "form_token":
            await self._call("POST", spec.revoke_url, until, data={"token": token})
        elif style == "form_token_client":
            form = {"token": token, **_client(provider)}
            await self._call("POST", spec.revoke_url, until, data=form)
        elif style == "bearer_post":
            await self._call("POST", spec.revoke_url, until, headers=bearer)
        else:
            await self._call("DELETE", spec.revoke_url, until, headers=bearer)

    def _until(self) -> float:
        """When the operation started now must have ended, on the event loop's clock."""
        return asyncio.get_running_loop().time() + self._deadline

    async def _token_call(self, provider: Provider, form: dict[str, str], until: float) -> Any:
        headers: dict[str, str] = {}
        if provider.spec.token_auth == "client_secret_basic":  # noqa: S105 - a method's name
            headers["Authorization"] = _basic(provider)
        else:
            form = {**form, **_client(provider)}
        url = provider.spec.token_url
        return await self._call("POST", url, until, data=form, headers=headers)

    async def _with_expiry(self, provider: Provider, grant: TokenGrant, until: float) -> TokenGrant:
        """Salesforce announces no expiry: ask its introspection endpoint."""
        if grant.expires_in is not None:
            return grant
        return await self._introspected(provider, grant, until)

    async def _introspected(
        self, provider: Provider, grant: TokenGrant, until: float
    ) -> TokenGrant:
        if provider.spec.introspect_url is None:
            return grant
        form = {"token": grant.access_token.reveal(), "token_type_hint": "access_token"}
        try:
            body = await self._call(
                "POST", provider.spec.introspect_url, until, data={**form, **_client(provider)}
            )
        except ProviderCallFailed:  # the shared deadline ran out, too
            return grant  # no expiry known: refreshed reactively on the first 401
        exp = body.get("exp") if isinstance(body, dict) and body.get("active") else None
        if not isinstance(exp, int):
            return grant
        return _replace(grant, expires_at=datetime.fromtimestamp(exp, UTC))

    async def _with_site(self, provider: Provider, grant: TokenGrant, until: float) -> TokenGrant:
        """Jira: the site (cloud id and URL) the grant reaches, read once at connect time."""
        if provider.spec.account_url is None:
            return grant
        bearer = {"Authorization": f"Bearer {grant.access_token.reveal()}"}
        body = await self._call("GET", provider.spec.account_url, until, headers=bearer)
        site = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
        cloud, url = site.get("id"), site.get("url")
        if not isinstance(cloud, str) or not isinstance(url, str):
            return grant
        api = f"{provider.spec.api_base.rstrip('/')}/ex/jira/{quote(cloud, safe='')}"
        return _replace(grant, external_account=url, instance_url=api)

    async def _call(
        self,
        method: str,
        url: str,
        until: float,
        *,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        try:
            # A deadline over the whole exchange (connect, send, wait, read every byte of the
            # body: request() reads it), not only httpx's per-phase timeouts, which a provider
            # dripping its answer resets with each byte: it cannot hold a refresh (and its
            # lock) open. Ends as ProviderTransient("timeout"): the refresh's cooldown.
            async with asyncio.timeout_at(until):
                response = await self._http.request(method, url, data=data, headers=headers)
        except (TimeoutError, httpx.TimeoutException):
            raise ProviderTransient("timeout") from None
        except httpx.HTTPError:
            raise ProviderTransient("network") from None
        body = _json(response)
        failure = classify(
            response.status_code, body, response.headers.get("retry-after"), self._clock.now()
        )
        if failure is not None:
            raise failure
        return body


def _json(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _client(provider: Provider) -> dict[str, str]:
    return {
        "client_id": provider.client.client_id,
        "client_secret": provider.client.client_secret.reveal(),
    }


def _basic(provider: Provider) -> str:
    # RFC 6749 §2.3.1: each part form-urlencoded before joining.
    pair = f"{quote(provider.client.client_id, safe='')}:"
    pair += quote(provider.client.client_secret.reveal(), safe="")
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _replace(grant: TokenGrant, **changes: Any) -> TokenGrant:
    return msgspec.structs.replace(grant, **changes)


async def open_http_client(
    *,
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
    transport: httpx.AsyncBaseTransport | None = None,
    verify: ssl.SSLContext | None = None,
) -> AsyncIterator[httpx.AsyncClient]:
    """A Resource: one pooled client for every provider call, closed at shutdown. ``verify``
    replaces the system's trust store (the development CA for a sandbox); never turns it off."""
    client = httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout_seconds, connect=min(5.0, timeout_seconds)),
        follow_redirects=False,
        verify=verify or True,
        # As many connections kept alive as may be open: httpcore closes an idle connection as
        # soon as the pool holds more than its keep-alive limit (20 by default), so a worker
        # with more reads in flight than that reconnected for nearly every call.
        limits=httpx.Limits(
            max_connections=POOL_CONNECTIONS, max_keepalive_connections=POOL_CONNECTIONS
        ),
        headers={"Accept": "application/json", "User-Agent": "Atlas/0.1"},
    )
    try:
        yield client
    finally:
        await client.aclose()
