"""Each provider's refresh behaviour: lifetimes, rotation, reuse grace, family revocation."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from adapters.sandbox.config import development_registrations
from tests.factories.sandbox import bearer, client_auth, connect, refresh, running_sandbox

SALESFORCE_LIMITS = "/salesforce/services/data/v62.0/limits"
HUBSPOT_DEALS = "/hubspot/crm/v3/objects/deals?limit=1"
JIRA_RESOURCES = "/jira/oauth/token/accessible-resources"


async def test_salesforce_access_expires_silently_and_refresh_does_not_rotate() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "salesforce")
        h.clock.advance(timedelta(hours=2, seconds=1))
        expired = await h.client.get(SALESFORCE_LIMITS, headers=bearer(tokens["access_token"]))
        first = await refresh(h.client, "salesforce", tokens["refresh_token"])
        second = await refresh(h.client, "salesforce", tokens["refresh_token"])
        fresh = await h.client.get(SALESFORCE_LIMITS, headers=bearer(second.json()["access_token"]))

    assert expired.status_code == 401
    assert expired.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    ]
    assert first.status_code == second.status_code == 200
    assert "refresh_token" not in first.json()
    assert "expires_in" not in first.json()
    assert fresh.status_code == 200
    assert h.sandbox.stats.get("salesforce", "refreshes") == 2


async def test_salesforce_with_rotation_revokes_the_family_when_an_old_token_returns() -> None:
    async with running_sandbox() as h:
        rotating = next(r for r in development_registrations() if r.provider == "salesforce")
        h.sandbox.clients.register(msgspec.structs.replace(rotating, rotate_refresh_tokens=True))
        tokens = await connect(h.client, "salesforce")
        rotated = (await refresh(h.client, "salesforce", tokens["refresh_token"])).json()
        second = await refresh(h.client, "salesforce", rotated["refresh_token"])
        replay = await refresh(h.client, "salesforce", tokens["refresh_token"])
        after = await refresh(h.client, "salesforce", second.json()["refresh_token"])

    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert second.status_code == 200  # the second consecutive refresh works too
    assert replay.json()["error"] == "invalid_grant"
    assert after.json()["error"] == "invalid_grant"  # the whole family went with it


async def test_hubspot_tokens_last_thirty_minutes_and_the_refresh_token_stays() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "hubspot")
        h.clock.advance(timedelta(minutes=29, seconds=59))
        alive = await h.client.get(HUBSPOT_DEALS, headers=bearer(tokens["access_token"]))
        h.clock.advance(timedelta(seconds=1))
        expired = await h.client.get(HUBSPOT_DEALS, headers=bearer(tokens["access_token"]))
        renewed = await refresh(h.client, "hubspot", tokens["refresh_token"])
        bad = await refresh(h.client, "hubspot", "na1-0000-0000-0000-0000-000000000000")

    assert alive.status_code == 200
    assert expired.status_code == 401
    assert expired.json()["category"] == "EXPIRED_AUTHENTICATION"
    assert renewed.json()["refresh_token"] == tokens["refresh_token"]
    assert renewed.json()["expires_in"] == 1800
    assert bad.status_code == 400
    assert bad.json()["status"] == "BAD_REFRESH_TOKEN"
    assert bad.json()["error"] == "invalid_grant"


async def test_google_keeps_the_refresh_token_and_omits_it_on_refresh() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "google")
        renewed = await refresh(h.client, "google", tokens["refresh_token"])
        again = await refresh(h.client, "google", tokens["refresh_token"])

    assert tokens["expires_in"] == 3599
    assert "refresh_token" not in renewed.json()
    assert again.status_code == 200


async def test_google_gives_no_refresh_token_on_a_repeat_consent_without_prompt() -> None:
    async with running_sandbox() as h:
        first = await connect(h.client, "google")
        repeat = await connect(h.client, "google", prompt="")
        forced = await connect(h.client, "google")

    assert "refresh_token" in first
    assert "refresh_token" not in repeat
    assert "refresh_token" in forced


async def test_slack_refresh_tokens_are_single_use_and_reuse_revokes_the_family() -> None:
    async with running_sandbox() as h:
        tokens = (await connect(h.client, "slack"))["authed_user"]
        rotated = await refresh(h.client, "slack", tokens["refresh_token"])
        reuse = await refresh(h.client, "slack", tokens["refresh_token"])
        victim = await refresh(h.client, "slack", rotated.json()["refresh_token"])
        call = await h.client.get(
            "/slack/api/auth.test", headers=bearer(rotated.json()["access_token"])
        )

    assert tokens["expires_in"] == 43200
    assert rotated.status_code == 200
    assert rotated.json()["access_token"].startswith("xoxe.xoxp-1-")
    assert rotated.json()["token_type"] == "user"
    assert reuse.status_code == 200  # Slack reports failures inside a 200
    assert reuse.json() == {"ok": False, "error": "invalid_refresh_token"}
    assert victim.json() == {"ok": False, "error": "invalid_refresh_token"}
    assert call.json() == {"ok": False, "error": "token_revoked"}


async def test_slack_access_tokens_expire_after_twelve_hours() -> None:
    async with running_sandbox() as h:
        tokens = (await connect(h.client, "slack"))["authed_user"]
        h.clock.advance(timedelta(hours=12))
        call = await h.client.get("/slack/api/auth.test", headers=bearer(tokens["access_token"]))

    assert call.status_code == 200
    assert call.json() == {"ok": False, "error": "token_expired"}


async def test_zendesk_refresh_deletes_the_old_pair() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "zendesk")
        renewed = await refresh(h.client, "zendesk", tokens["refresh_token"])
        old_access = await h.client.get(
            "/zendesk/api/v2/users.json", headers=bearer(tokens["access_token"])
        )
        old_refresh = await refresh(h.client, "zendesk", tokens["refresh_token"])
        new_access = await h.client.get(
            "/zendesk/api/v2/users.json", headers=bearer(renewed.json()["access_token"])
        )

    assert tokens["expires_in"] == 1800
    assert renewed.json()["refresh_token"] != tokens["refresh_token"]
    assert old_access.status_code == 401
    assert old_access.json()["error"] == "invalid_token"
    assert old_refresh.json()["error"] == "invalid_grant"
    assert new_access.status_code == 200
    assert h.sandbox.stats.get("zendesk", "family_revocations") == 0  # deleted, not a theft


async def test_zendesk_honours_requested_lifetimes_and_refuses_out_of_range_ones() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "zendesk")
        form = {
            "grant_type": "refresh_token",
            "refresh_token": tokens["refresh_token"],
            "expires_in": "600",
            **client_auth("zendesk"),
        }
        short = await h.client.post("/zendesk/oauth/tokens", json=form)
        bad_form = {**form, "refresh_token": short.json()["refresh_token"], "expires_in": "60"}
        too_short = await h.client.post("/zendesk/oauth/tokens", json=bad_form)

    assert short.status_code == 200  # JSON bodies are accepted, as Zendesk documents
    assert short.json()["expires_in"] == 600
    assert too_short.status_code == 400


async def test_jira_rotates_allows_reuse_for_ten_minutes_then_revokes_the_family() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "jira")
        rotated = (await refresh(h.client, "jira", tokens["refresh_token"])).json()
        h.clock.advance(timedelta(minutes=10))
        within_grace = await refresh(h.client, "jira", tokens["refresh_token"])
        h.clock.advance(timedelta(seconds=1))
        late = await refresh(h.client, "jira", tokens["refresh_token"])
        newest = await refresh(h.client, "jira", rotated["refresh_token"])
        api = await h.client.get(JIRA_RESOURCES, headers=bearer(rotated["access_token"]))

    assert rotated["refresh_token"] != tokens["refresh_token"]
    assert within_grace.status_code == 200
    assert late.status_code == 403
    assert late.json() == {
        "error": "invalid_grant",
        "error_description": "Unknown or invalid refresh token.",
    }
    assert newest.status_code == 403  # the family is gone
    assert api.status_code == 401
    assert h.sandbox.stats.get("jira", "family_revocations") == 1


async def test_jira_gives_no_refresh_token_without_offline_access() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "jira", scope="read:jira-work")

    assert tokens["expires_in"] == 3600
    assert "refresh_token" not in tokens


async def test_jira_refresh_tokens_die_after_ninety_idle_days() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "jira")
        h.clock.advance(timedelta(days=90, seconds=1))
        idle = await refresh(h.client, "jira", tokens["refresh_token"])

    assert idle.status_code == 403
