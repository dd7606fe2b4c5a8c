"""The connect flow of every provider, through the HTTP API against the mounted sandbox."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from adapters.crypto.flow_sealing import AesGcmFlowSealer
from adapters.fakes.integrations import IntegrationsTables
from application.vault.oauth_tokens import open_tokens
from domain.integrations import flow, pkce
from domain.integrations.providers import CATALOG
from domain.shared.secret import Secret
from tests.e2e.connect_flow import BASE, COOKIE, connect, harness, open_start, person, start
from tests.e2e.harness import bearer

pytestmark = pytest.mark.e2e
__all__ = ["harness"]  # the fixture

PROVIDERS = sorted(CATALOG)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_connecting_stores_an_active_connection_and_sealed_tokens(
    harness: Any, provider: str
) -> None:
    client, container = harness
    me = person()

    attempt, outcome = await connect(client, container, me, provider)
    shown = await client.get(
        f"/api/v1/connections/{attempt.connection_id}", headers=bearer(container, me)
    )
    async with (await _uow(container))(me.scope) as uow:
        sealed = await uow.oauth_tokens.get(attempt.connection_id)
    assert sealed is not None
    tokens = await open_tokens(await _vault(container), sealed)

    assert (outcome.status, outcome.outcome, outcome.reason) == (303, "connected", "connected")
    assert outcome.location.startswith("https://127.0.0.1:8443/connections?connection=")
    assert outcome.connection == str(attempt.connection_id)
    assert shown.status_code == 200
    body = shown.json()
    assert body["status"] == "active"
    assert set(body["scopes_granted"]) == set(CATALOG[provider].scopes)
    assert body["last_refresh_at"] is not None
    assert tokens.access_token.reveal()
    assert tokens.refresh_token is not None  # every grant asks for offline access


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_the_authorization_url_asks_exactly_for_the_catalog_scopes(
    harness: Any, provider: str
) -> None:
    client, container = harness
    spec = CATALOG[provider]

    attempt = await start(client, container, person(), provider=provider)
    query = dict(parse_qsl(urlsplit(attempt.provider_url).query))

    asked = query[spec.scope_parameter].split(spec.scope_separator)
    assert asked == list(spec.scopes)
    assert urlsplit(attempt.provider_url).path.startswith(f"/sandbox/{spec.platform}/")
    assert query["redirect_uri"] == f"{BASE}/api/v1/oauth/callback/{spec.platform}"
    assert len(query["state"]) >= 43  # 256 bits, base64url
    if spec.pkce:
        assert query["code_challenge_method"] == "S256"
        assert len(query["code_challenge"]) == 43
    else:
        assert "code_challenge" not in query


async def test_the_start_link_sets_a_host_only_http_only_lax_cookie_and_works_once(
    harness: Any,
) -> None:
    client, container = harness
    attempt = await start(client, container, person(), provider="salesforce")

    first = await open_start(client, attempt)
    again = await open_start(client, attempt)

    cookie = first.set_cookie
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert first.status_code == 200
    assert first.location == attempt.provider_url
    assert cookie.startswith(f"{COOKIE}=")
    assert {"httponly", "secure", "path", "samesite", "max-age"} <= attributes
    assert "domain" not in attributes  # __Host-: this host only
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Path=/" in cookie
    assert (again.status_code, again.code) == (404, "integrations.start_link_invalid")
    assert again.set_cookie == ""


async def test_the_pkce_challenge_matches_the_verifier_kept_sealed_under_the_state(
    harness: Any,
) -> None:
    client, container = harness
    attempt = await start(client, container, person(), provider="gmail")
    query = dict(parse_qsl(urlsplit(attempt.provider_url).query))

    (pending,) = container.adapters.store().tables.of(IntegrationsTables).pending.values()
    context = flow.seal_context("pkce", pending.id)
    assert pending.sealed_verifier is not None
    verifier = AesGcmFlowSealer().open(Secret(query["state"]), context, pending.sealed_verifier)
    wrong_state = AesGcmFlowSealer().open(Secret("x" * 43), context, pending.sealed_verifier)

    assert verifier is not None
    assert len(verifier.reveal()) == 86  # secrets.token_urlsafe(64)
    assert pkce.challenge(verifier.reveal()) == query["code_challenge"]
    assert wrong_state is None
    assert verifier.reveal() not in attempt.authorization_url + attempt.provider_url


async def test_the_catalog_lists_scopes_and_what_is_read_and_never_stored(harness: Any) -> None:
    client, container = harness

    listed = await client.get("/api/v1/integrations", headers=bearer(container, person()))

    items = {p["key"]: p for p in listed.json()["items"]}
    assert set(items) == set(CATALOG)
    assert all(p["available"] and p["reads"] and p["never_stores"] for p in items.values())
    assert items["gmail"]["scopes"] == ["https://www.googleapis.com/auth/gmail.metadata"]
    for provider in items.values():  # every scope says why it is asked for
        assert [p["scope"] for p in provider["permissions"]] == provider["scopes"]
        assert all(p["reads"] for p in provider["permissions"])
    salesforce = {p["scope"]: p["reads"] for p in items["salesforce"]["permissions"]}
    assert "no read-only" in salesforce["api"]
    assert items["jira"]["revocable"] is False
    assert items["jira"]["revocation_note"]
    assert items["zendesk"]["needs_subdomain"] is False  # the sandbox has a single host


async def test_connections_are_listed_only_to_their_owner(harness: Any) -> None:
    client, container = harness
    colleague = person()
    me = person(colleague.tenant_id)
    attempt, _ = await connect(client, container, me, "hubspot")

    mine = await client.get("/api/v1/connections", headers=bearer(container, me))
    theirs = await client.get("/api/v1/connections", headers=bearer(container, colleague))
    peek = await client.get(
        f"/api/v1/connections/{attempt.connection_id}", headers=bearer(container, colleague)
    )

    assert [c["id"] for c in mine.json()["items"]] == [str(attempt.connection_id)]
    assert theirs.json()["items"] == []
    assert peek.status_code == 404


async def _uow(container: Any) -> Any:
    return container.adapters.integrations_uow()


async def _vault(container: Any) -> Any:
    return await container.adapters.vault()
