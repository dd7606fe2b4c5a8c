"""Every way a connect attempt can go wrong ends in a clear outcome and stores nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from adapters.fakes.vault import VaultTables
from application.shared.actor import Actor
from domain.integrations import pkce
from tests.e2e.connect_flow import (
    BASE,
    Attempt,
    altered,
    come_back,
    consent,
    harness,
    open_start,
    person,
    sandbox_stats,
    start,
)
from tests.e2e.harness import bearer
from tests.factories.sandbox_control import control_in

pytestmark = pytest.mark.e2e
__all__ = ["harness"]  # the fixture


async def _consented(client: Any, attempt: Attempt, decision: str = "approve", **tweak: str) -> str:
    """Open the start link and answer at the provider; the URL the browser is sent back to."""
    opened = await open_start(client, attempt)
    url = altered(opened.location, **tweak) if tweak else opened.location
    decided = await consent(client, url, decision)
    assert decided.status_code == 302, decided.text
    return str(decided.headers["location"])


async def _nothing_stored(client: Any, container: Any, actor: Actor) -> bool:
    listed = await client.get("/api/v1/connections", headers=bearer(container, actor))
    tokens = container.adapters.store().tables.of(VaultTables).oauth_tokens
    mine = [k for k in tokens if k[:2] == (actor.tenant_id, actor.user_id)]
    return listed.json()["items"] == [] and mine == []


async def test_a_replayed_callback_is_refused_and_changes_nothing(harness: Any) -> None:
    client, container = harness
    me = person()
    attempt = await start(client, container, me, provider="slack")
    callback = await _consented(client, attempt)

    first = await come_back(client, callback, attempt.cookie)
    replay = await come_back(client, callback, attempt.cookie)
    listed = await client.get("/api/v1/connections", headers=bearer(container, me))

    assert first.outcome == "connected"
    assert (replay.status, replay.outcome, replay.reason) == (303, "error", "state_reused")
    assert [c["id"] for c in listed.json()["items"]] == [str(attempt.connection_id)]
    assert (await sandbox_stats(client, "slack"))["codes_redeemed"] == 1


async def test_a_state_older_than_ten_minutes_is_refused(harness: Any) -> None:
    client, container = harness
    me = person()
    attempt = await start(client, container, me, provider="hubspot")
    callback = await _consented(client, attempt)
    container.adapters.clock().advance(timedelta(minutes=10, seconds=1))

    outcome = await come_back(client, callback, attempt.cookie)

    assert (outcome.outcome, outcome.reason) == ("error", "state_expired")
    assert await _nothing_stored(client, container, me)


@pytest.mark.parametrize("stranger", ["colleague", "other tenant"])
async def test_a_state_brought_back_by_another_user_finds_nothing(
    harness: Any, stranger: str
) -> None:
    client, container = harness
    me = person()
    them = person(me.tenant_id if stranger == "colleague" else None)
    mine = await start(client, container, me, provider="jira")
    callback = await _consented(client, mine)
    theirs = await start(client, container, them, provider="jira")
    await open_start(client, theirs)  # their own browser binding

    outcome = await come_back(client, callback, theirs.cookie)
    mine_later = await come_back(client, callback, mine.cookie)  # never burnt by a stranger

    assert (outcome.outcome, outcome.reason) == ("error", "state_unknown")
    assert outcome.connection is None
    assert await _nothing_stored(client, container, them)
    assert mine_later.outcome == "connected"


async def test_a_callback_from_another_browser_of_the_same_user_is_refused(harness: Any) -> None:
    client, container = harness
    me = person()
    attempt = await start(client, container, me, provider="zendesk")
    callback = await _consented(client, attempt)
    other = await start(client, container, me, provider="zendesk")
    await open_start(client, other)  # a second browser gets a binding of its own

    outcome = await come_back(client, callback, other.cookie)

    assert (outcome.outcome, outcome.reason) == ("error", "session_mismatch")
    assert await _nothing_stored(client, container, me)


async def test_a_missing_state_or_browser_is_refused(harness: Any) -> None:
    client, container = harness
    me = person()
    attempt = await start(client, container, me, provider="salesforce")
    callback = await _consented(client, attempt)

    no_state = await come_back(client, altered(callback, state=""), attempt.cookie)
    no_browser = await come_back(client, callback, None)

    assert (no_state.outcome, no_state.reason) == ("error", "state_missing")
    assert (no_browser.outcome, no_browser.reason) == ("error", "session_missing")
    assert await _nothing_stored(client, container, me)


async def test_a_state_made_for_one_platform_is_refused_on_another_callback(
    harness: Any,
) -> None:
    client, container = harness
    me = person()
    attempt = await start(client, container, me, provider="gmail")
    callback = await _consented(client, attempt)

    outcome = await come_back(client, callback.replace("/callback/google", "/callback/slack"),
                              attempt.cookie)  # fmt: skip

    assert (outcome.outcome, outcome.reason) == ("error", "platform_mismatch")
    assert await _nothing_stored(client, container, me)


async def test_a_code_bound_to_another_pkce_challenge_is_refused_by_the_provider(
    harness: Any,
) -> None:
    client, container = harness
    me = person()
    attempt = await start(client, container, me, provider="salesforce")
    forged = pkce.challenge(pkce.new_verifier())
    callback = await _consented(client, attempt, code_challenge=forged)

    outcome = await come_back(client, callback, attempt.cookie)

    assert (outcome.outcome, outcome.reason) == ("error", "exchange_refused")
    assert (await sandbox_stats(client, "salesforce"))["refused:pkce_mismatch"] == 1
    assert await _nothing_stored(client, container, me)


async def test_an_altered_redirect_uri_gets_no_tokens(harness: Any) -> None:
    client, container = harness
    me = person()
    unregistered = await start(client, container, me, provider="hubspot")
    other_origin = await start(client, container, me, provider="hubspot")
    opened = await open_start(client, unregistered)
    evil = "https://evil.example/api/v1/oauth/callback/hubspot"

    refused_page = await consent(client, altered(opened.location, redirect_uri=evil))
    registered_elsewhere = "https://localhost:8443/api/v1/oauth/callback/hubspot"
    callback = await _consented(client, other_origin, redirect_uri=registered_elsewhere)
    outcome = await come_back(
        client, callback.replace("https://localhost:8443", BASE), other_origin.cookie
    )

    assert refused_page.status_code == 400  # an error page, never a redirect to evil.example
    assert (outcome.outcome, outcome.reason) == ("error", "exchange_refused")
    assert (await sandbox_stats(client, "hubspot"))["refused:redirect_mismatch"] == 1
    assert await _nothing_stored(client, container, me)


async def test_denied_consent_is_a_denied_outcome(harness: Any) -> None:
    client, container = harness
    me = person()
    attempt = await start(client, container, me, provider="google_calendar")
    callback = await _consented(client, attempt, decision="deny")

    outcome = await come_back(client, callback, attempt.cookie)

    assert (outcome.outcome, outcome.reason) == ("denied", "access_denied")
    assert outcome.connection == str(attempt.connection_id)
    assert await _nothing_stored(client, container, me)


@pytest.mark.parametrize("iss", ["https://evil.example", ""])
async def test_a_google_callback_with_another_issuer_is_refused(harness: Any, iss: str) -> None:
    client, container = harness
    me = person()
    attempt = await start(client, container, me, provider="gmail")
    callback = await _consented(client, attempt)

    outcome = await come_back(client, altered(callback, iss=iss), attempt.cookie)

    assert (outcome.outcome, outcome.reason) == ("error", "issuer_mismatch")
    assert (await sandbox_stats(client, "google")).get("codes_redeemed", 0) == 0
    assert await _nothing_stored(client, container, me)


async def test_a_grant_without_the_required_scopes_is_given_back(harness: Any) -> None:
    client, container = harness
    me = person()
    withheld = ["https://www.googleapis.com/auth/calendar.events.readonly"]
    await client.post("/sandbox/_control/consent", headers=control_in(client.app),
                      json={"provider": "google", "withhold_scopes": withheld})  # fmt: skip
    attempt = await start(client, container, me, provider="google_calendar")

    outcome = await come_back(client, await _consented(client, attempt), attempt.cookie)

    assert (outcome.outcome, outcome.reason) == ("error", "scopes_missing")
    assert (await sandbox_stats(client, "google"))["tokens_revoked"] == 1
    assert await _nothing_stored(client, container, me)


async def test_a_provider_outage_during_the_exchange_stores_nothing(harness: Any) -> None:
    client, container = harness
    me = person()
    attempt = await start(client, container, me, provider="jira")
    callback = await _consented(client, attempt)
    fault = {"kind": "server_error", "statuses": [503]}
    rule = {"provider": "jira", "path": "/oauth/token", "fault": fault}
    await client.post("/sandbox/_control/faults", json=rule, headers=control_in(client.app))

    outcome = await come_back(client, callback, attempt.cookie)

    assert (outcome.outcome, outcome.reason) == ("error", "provider_unavailable")
    assert await _nothing_stored(client, container, me)
