"""The authorization-code flow against every emulated provider, and each way it must fail."""

from __future__ import annotations

import pytest

from adapters.sandbox.config import PROVIDERS, Provider
from tests.factories.sandbox import (
    FLOWS,
    access_token,
    attempt,
    callback,
    connect,
    consent_form,
    decide,
    open_consent,
    redeem,
    running_sandbox,
)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_the_full_connect_flow_works_for_every_provider(provider: Provider) -> None:
    async with running_sandbox() as h:
        started = attempt(provider)
        page = await open_consent(h.client, started)
        returned = await decide(h.client, page)
        answer = await redeem(h.client, started, returned.params["code"])

    assert page.status_code == 200
    assert "Allow" in page.text
    assert "Deny" in page.text
    assert str(returned).startswith(callback(provider) + "?")
    assert returned.params["state"] == started.state
    assert answer.status_code == 200
    assert access_token(provider, answer.json())
    assert h.sandbox.stats.get(provider, "codes_redeemed") == 1


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if FLOWS[p].pkce])
async def test_a_wrong_pkce_verifier_is_refused(provider: Provider) -> None:
    async with running_sandbox() as h:
        started = attempt(provider)
        returned = await decide(h.client, await open_consent(h.client, started))
        wrong = await redeem(h.client, started, returned.params["code"], code_verifier="x" * 64)

    assert wrong.status_code == 400
    assert wrong.json()["error"] == "invalid_grant"
    assert h.sandbox.stats.get(provider, "access_tokens_issued") == 0


@pytest.mark.parametrize("provider", [p for p in PROVIDERS if FLOWS[p].pkce])
async def test_a_missing_pkce_verifier_is_refused(provider: Provider) -> None:
    async with running_sandbox() as h:
        started = attempt(provider)
        returned = await decide(h.client, await open_consent(h.client, started))
        missing = await redeem(h.client, started, returned.params["code"], code_verifier="")

    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("provider", ["salesforce", "google", "zendesk"])
async def test_pkce_is_required_where_the_client_promised_it(provider: Provider) -> None:
    async with running_sandbox() as h:
        started = attempt(provider, code_challenge="", code_challenge_method="")
        page = await open_consent(h.client, started)
        plain = await open_consent(h.client, attempt(provider, code_challenge_method="plain"))

    assert page.status_code == 302
    assert "error=invalid_request" in page.headers["location"]
    assert "error=invalid_request" in plain.headers["location"]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_an_altered_redirect_uri_is_refused_at_authorize_and_at_the_token_endpoint(
    provider: Provider,
) -> None:
    async with running_sandbox() as h:
        altered = attempt(provider, redirect_uri=callback(provider) + "/evil")
        refused_page = await open_consent(h.client, altered)
        prefix = attempt(provider, redirect_uri=callback(provider).upper())
        refused_case = await open_consent(h.client, prefix)
        started = attempt(provider)
        returned = await decide(h.client, await open_consent(h.client, started))
        swapped = await redeem(
            h.client, started, returned.params["code"], redirect_uri=callback(provider) + "/"
        )

    # Never redirected: an unregistered redirect URI gets an error page, not a 302.
    assert refused_page.status_code == 400
    assert "location" not in refused_page.headers
    assert refused_case.status_code == 400
    body = swapped.json()
    assert body.get("ok") is False if provider == "slack" else swapped.status_code >= 400
    assert h.sandbox.stats.get(provider, "access_tokens_issued") == 0


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_reused_code_is_refused_and_revokes_what_it_bought(provider: Provider) -> None:
    async with running_sandbox() as h:
        started = attempt(provider)
        returned = await decide(h.client, await open_consent(h.client, started))
        first = await redeem(h.client, started, returned.params["code"])
        second = await redeem(h.client, started, returned.params["code"])

    assert first.status_code == 200
    assert second.status_code >= 400 or second.json()["ok"] is False
    assert h.sandbox.stats.get(provider, "family_revocations") >= 1


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_denied_consent_redirects_with_access_denied_and_the_state(
    provider: Provider,
) -> None:
    async with running_sandbox() as h:
        started = attempt(provider)
        returned = await decide(h.client, await open_consent(h.client, started), decision="deny")

    assert returned.params["error"] == "access_denied"
    assert returned.params["state"] == started.state
    assert "code" not in returned.params


async def test_a_consent_form_is_single_use() -> None:
    async with running_sandbox() as h:
        page = await open_consent(h.client, attempt("jira"))
        await decide(h.client, page)
        action, token = consent_form(page)
        replay = await h.client.post(
            action,
            content=f"consent={token}&decision=approve",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )

    assert replay.status_code == 400
    assert "location" not in replay.headers


async def test_the_consent_page_has_a_strict_csp_and_no_script() -> None:
    async with running_sandbox() as h:
        page = await open_consent(h.client, attempt("google"))

    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp
    assert "form-action 'self' https://127.0.0.1:8443" in csp
    assert "frame-ancestors 'none'" in csp
    assert "<script" not in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert "See and download any calendar" in page.text  # scopes in plain words


async def test_google_sends_iss_and_the_granted_scopes_in_the_redirect() -> None:
    async with running_sandbox() as h:
        started = attempt("google")
        returned = await decide(h.client, await open_consent(h.client, started))

    assert returned.params["iss"] == "https://accounts.google.com"
    assert "gmail.metadata" in returned.params["scope"]


async def test_token_parameters_in_the_query_string_are_refused() -> None:
    async with running_sandbox() as h:
        started = attempt("hubspot")
        returned = await decide(h.client, await open_consent(h.client, started))
        answer = await h.client.post(
            FLOWS["hubspot"].token,
            params={"grant_type": "authorization_code", "code": returned.params["code"]},
        )

    assert answer.status_code == 400
    assert answer.json()["status"] == "BAD_REQUEST"


async def test_a_wrong_client_secret_is_refused() -> None:
    async with running_sandbox() as h:
        started = attempt("zendesk")
        returned = await decide(h.client, await open_consent(h.client, started))
        answer = await redeem(h.client, started, returned.params["code"], client_secret="nope")

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


async def test_connect_returns_provider_shaped_token_responses() -> None:
    async with running_sandbox() as h:
        salesforce = await connect(h.client, "salesforce")
        hubspot = await connect(h.client, "hubspot")
        slack = await connect(h.client, "slack")
        google = await connect(h.client, "google")

    assert "expires_in" not in salesforce
    assert salesforce["access_token"].startswith("00D")
    assert "!" in salesforce["access_token"]
    assert salesforce["instance_url"] == "https://sandbox.test/salesforce"
    assert {"id", "issued_at", "signature"} <= set(salesforce)
    assert hubspot["expires_in"] == 1800
    assert hubspot["refresh_token"].startswith("na1-")
    assert slack["ok"] is True
    assert slack["authed_user"]["access_token"].startswith("xoxe.xoxp-")
    assert slack["authed_user"]["refresh_token"].startswith("xoxe-")
    assert (
        slack["authed_user"]["scope"]
        == "channels:read,groups:read,channels:history,groups:history,users:read,users:read.email"
    )
    assert google["access_token"].startswith("ya29.")
    assert google["scope"].split(" ")[0].startswith("https://www.googleapis.com/auth/")
