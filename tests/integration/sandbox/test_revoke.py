"""Revocation as each provider has it; Jira has no endpoint at all."""

from __future__ import annotations

from tests.factories.sandbox import bearer, client_auth, connect, refresh, running_sandbox


async def test_salesforce_revoking_the_refresh_token_takes_its_access_tokens() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "salesforce")
        revoked = await h.client.post(
            "/salesforce/services/oauth2/revoke", data={"token": tokens["refresh_token"]}
        )
        api = await h.client.get(
            "/salesforce/services/data/v62.0/limits", headers=bearer(tokens["access_token"])
        )
        renewed = await refresh(h.client, "salesforce", tokens["refresh_token"])
        unknown = await h.client.post("/salesforce/services/oauth2/revoke", data={"token": "nope"})

    assert revoked.status_code == 200
    assert api.status_code == 401
    assert renewed.json()["error"] == "invalid_grant"
    assert unknown.status_code == 400
    assert h.sandbox.stats.get("salesforce", "revocation_calls") == 2


async def test_google_revoking_either_token_revokes_the_grant() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "google")
        revoked = await h.client.post("/google/revoke", data={"token": tokens["access_token"]})
        renewed = await refresh(h.client, "google", tokens["refresh_token"])
        in_query = await h.client.post("/google/revoke", params={"token": tokens["refresh_token"]})

    assert revoked.status_code == 200
    assert renewed.json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }
    assert in_query.status_code == 400  # tokens never travel in URLs here


async def test_hubspot_revoke_deletes_the_refresh_token() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "hubspot")
        revoked = await h.client.post(
            "/hubspot/oauth/2026-03/token/revoke",
            data={"token": tokens["refresh_token"], **client_auth("hubspot")},
        )
        renewed = await refresh(h.client, "hubspot", tokens["refresh_token"])

    assert revoked.status_code == 204
    assert renewed.json()["status"] == "BAD_REFRESH_TOKEN"
    assert h.sandbox.stats.get("hubspot", "revocation_calls") == 1


async def test_slack_auth_revoke_kills_the_calling_token_and_its_refresh() -> None:
    async with running_sandbox() as h:
        tokens = (await connect(h.client, "slack"))["authed_user"]
        revoked = await h.client.post(
            "/slack/api/auth.revoke", headers=bearer(tokens["access_token"])
        )
        again = await h.client.get("/slack/api/auth.test", headers=bearer(tokens["access_token"]))
        renewed = await refresh(h.client, "slack", tokens["refresh_token"])

    assert revoked.json() == {"ok": True, "revoked": True}
    assert again.json() == {"ok": False, "error": "token_revoked"}
    assert renewed.json() == {"ok": False, "error": "invalid_refresh_token"}


async def test_zendesk_deleting_the_current_token_removes_the_pair() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "zendesk")
        deleted = await h.client.delete(
            "/zendesk/api/v2/oauth/tokens/current.json", headers=bearer(tokens["access_token"])
        )
        api = await h.client.get(
            "/zendesk/api/v2/users.json", headers=bearer(tokens["access_token"])
        )
        renewed = await refresh(h.client, "zendesk", tokens["refresh_token"])

    assert deleted.status_code == 204
    assert api.status_code == 401
    assert renewed.json()["error"] == "invalid_grant"


async def test_jira_has_no_revocation_endpoint() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "jira")
        attempt = await h.client.post("/jira/oauth/revoke", data={"token": tokens["refresh_token"]})

    assert attempt.status_code == 404


async def test_a_grant_revoked_at_the_provider_fails_refresh_with_invalid_grant() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "jira")
        control = await h.client.post("/_control/grants/revoke", json={"provider": "jira"})
        renewed = await refresh(h.client, "jira", tokens["refresh_token"])

    assert control.json() == {"revoked_families": 1}
    assert renewed.status_code == 403
    assert renewed.json()["error"] == "invalid_grant"
