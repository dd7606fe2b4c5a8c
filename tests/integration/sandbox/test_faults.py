"""Injected faults: throttling, 5xx bursts, slow answers, and a token endpoint that hangs."""

from __future__ import annotations

import asyncio
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx
import pytest

from adapters.sandbox.config import Provider
from tests.factories.sandbox import (
    NOW,
    Harness,
    access_token,
    bearer,
    connect,
    refresh,
    running_sandbox,
)

HISTORY = "/slack/api/conversations.list"


async def test_a_rate_limit_carries_retry_after_in_seconds_then_clears() -> None:
    async with running_sandbox() as h:
        auth = bearer(access_token("slack", await connect(h.client, "slack")))
        await h.client.post(
            "/_control/faults",
            json={
                "provider": "slack",
                "path": "/api/conversations.*",
                "fault": {"kind": "rate_limit", "retry_after": 7},
            },
        )
        limited = await h.client.get(HISTORY, headers=auth)
        after = await h.client.get(HISTORY, headers=auth)

    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "7"
    assert limited.json() == {"ok": False, "error": "ratelimited"}
    assert after.status_code == 200


async def test_retry_after_can_be_an_http_date() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "jira"))["access_token"])
        await h.client.post(
            "/_control/faults",
            json={
                "provider": "jira",
                "fault": {"kind": "rate_limit", "retry_after": 120, "http_date": True},
            },
        )
        limited = await h.client.get("/jira/oauth/token/accessible-resources", headers=auth)

    when = parsedate_to_datetime(limited.headers["retry-after"])
    assert limited.status_code == 429
    assert (when - NOW).total_seconds() == 120
    assert limited.headers["ratelimit-reason"]


async def test_a_server_error_burst_cycles_its_statuses_then_recovers() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "hubspot"))["access_token"])
        rule = {
            "provider": "hubspot",
            "path": "/crm/*",
            "times": 3,
            "fault": {"kind": "server_error", "statuses": [500, 502, 503], "retry_after": 2},
        }
        await h.client.post("/_control/faults", json=rule)
        answers = [
            await h.client.get("/hubspot/crm/v3/objects/deals", headers=auth) for _ in range(4)
        ]

    assert [a.status_code for a in answers] == [500, 502, 503, 200]
    assert answers[2].headers["retry-after"] == "2"


async def test_skip_lets_requests_through_before_the_fault_hits() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "hubspot"))["access_token"])
        await h.client.post(
            "/_control/faults",
            json={
                "provider": "hubspot",
                "path": "/crm/*",
                "skip": 2,
                "fault": {"kind": "rate_limit"},
            },
        )
        answers = [
            await h.client.get("/hubspot/crm/v3/objects/deals", headers=auth) for _ in range(4)
        ]

    assert [a.status_code for a in answers] == [200, 200, 429, 200]
    assert answers[2].headers["x-hubspot-ratelimit-remaining"] == "0"


async def test_salesforce_throttles_with_403_request_limit_exceeded() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "salesforce"))["access_token"])
        await h.client.post(
            "/_control/faults",
            json={
                "provider": "salesforce",
                "path": "/services/data/*",
                "fault": {"kind": "rate_limit"},
            },
        )
        limited = await h.client.get("/salesforce/services/data/v62.0/limits", headers=auth)

    assert limited.status_code == 403
    assert limited.json()[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


async def test_a_slow_answer_waits_then_answers() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "zendesk"))["access_token"])
        await h.client.post(
            "/_control/faults",
            json={"provider": "zendesk", "fault": {"kind": "slow", "seconds": 2.5}},
        )
        answer = await h.client.get("/zendesk/api/v2/users.json", headers=auth)

    assert answer.status_code == 200
    assert h.sleeps == [2.5]


async def test_a_drip_answers_200_then_one_byte_per_interval_without_reaching_the_provider() -> (
    None
):
    async with running_sandbox() as h:
        tokens = await connect(h.client, "hubspot")
        rule = {
            "provider": "hubspot",
            "path": "/oauth/*",
            "fault": {"kind": "drip", "interval": 0.25, "bytes": 5},
        }
        await h.client.post("/_control/faults", json=rule)
        dripped = await refresh(h.client, "hubspot", tokens["refresh_token"])
        answered = await refresh(h.client, "hubspot", tokens["refresh_token"])
        stats = (await h.client.get("/_control/stats")).json()

    assert dripped.status_code == 200
    assert dripped.content == b"     "
    assert h.sleeps == [0.25] * 5
    assert answered.json()["access_token"]  # the drip never reached the provider: no rotation
    assert stats["hubspot"]["total"]["refreshes"] == 1


async def test_a_forever_drip_ends_only_when_the_client_gives_up() -> None:
    async with running_sandbox() as h:
        rule = {"provider": "zendesk", "fault": {"kind": "drip", "interval": 0.01}}
        await h.client.post("/_control/faults", json=rule)
        url = "/zendesk/api/v2/users.json"
        started = 0

        async def counting(seconds: float) -> None:
            nonlocal started
            started += 1
            await asyncio.sleep(0)  # a real wait: let the client's deadline fire

        h.sandbox.sleep = counting
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await h.client.get(url)

    assert started > 3  # it kept dripping until the client's own deadline ended the call


async def test_a_token_endpoint_that_hangs_after_rotating_strands_the_old_token() -> None:
    async with running_sandbox() as h:
        tokens = (await connect(h.client, "slack"))["authed_user"]
        rule = {
            "provider": "slack",
            "path": "/api/oauth.v2.access",
            "fault": {"kind": "hang_after_processing", "seconds": 30},
        }
        await h.client.post("/_control/faults", json=rule)
        lost = await refresh(h.client, "slack", tokens["refresh_token"])
        retried = await refresh(h.client, "slack", tokens["refresh_token"])
        stats = (await h.client.get("/_control/stats")).json()

    assert lost.status_code == 504
    assert h.sleeps == [30]
    assert retried.json() == {"ok": False, "error": "invalid_refresh_token"}
    assert stats["slack"]["total"]["refreshes"] == 1
    assert stats["slack"]["total"]["family_revocations"] == 1


async def test_invalid_fault_rules_are_refused() -> None:
    async with running_sandbox() as h:
        bad = await h.client.post(
            "/_control/faults", json={"provider": "slack", "fault": {"kind": "meteor"}}
        )
        listed = await h.client.get("/_control/faults")

    assert bad.status_code == 422
    assert listed.json() == []


async def test_the_control_api_moves_the_clock_and_lists_clients_without_secrets() -> None:
    async with running_sandbox() as h:
        moved = await h.client.post("/_control/clock", json={"advance_seconds": 3600})
        backwards = await h.client.post("/_control/clock", json={"advance_seconds": -1})
        clients = (await h.client.get("/_control/clients")).json()

    assert datetime.fromisoformat(moved.json()["now"]) == NOW.replace(hour=13)
    assert backwards.status_code == 422
    assert len(clients) == 6
    assert all("client_secret" not in c for c in clients)
    assert "secret" not in str(clients)


async def test_a_client_registered_at_run_time_can_connect() -> None:
    async with running_sandbox() as h:
        client = {
            "provider": "jira",
            "client_id": "other",
            "client_secret": "s3cret",
            "redirect_uris": ["http://127.0.0.1:9999/cb"],
        }
        registered = await h.client.put("/_control/clients", json=client)
        page = await h.client.get(
            "/jira/authorize",
            params={
                "client_id": "other",
                "redirect_uri": "http://127.0.0.1:9999/cb",
                "response_type": "code",
                "scope": "read:jira-work",
                "audience": "api.atlassian.com",
            },
        )

    assert registered.status_code == 200
    assert page.status_code == 200


async def test_the_control_api_is_absent_when_switched_off() -> None:
    async with running_sandbox(control_api=False) as h:
        answer = await h.client.get("/_control/stats")

    assert answer.status_code == 404


async def test_a_withheld_scope_is_missing_from_the_grant_and_the_answers() -> None:
    async with running_sandbox() as h:
        hook = {"provider": "slack", "withhold_scopes": ["users:read.email"]}
        await h.client.post("/_control/consent", json=hook)
        tokens = await connect(h.client, "slack")
        auth = bearer(access_token("slack", tokens))
        members = (await h.client.get("/slack/api/users.list", headers=auth)).json()["members"]

    assert "users:read.email" not in tokens["authed_user"]["scope"].split(",")
    assert "users:read" in tokens["authed_user"]["scope"].split(",")
    assert all("email" not in m["profile"] for m in members)


async def _stale(h: Harness, provider: Provider) -> httpx.Response:
    """Take a cursor from the provider, expire every cursor, then present it."""
    auth = bearer(access_token(provider, await connect(h.client, provider)))
    if provider == "salesforce":
        url = "/salesforce/services/data/v62.0/query"
        first = await h.client.get(
            url,
            params={"q": "SELECT Id FROM Task"},
            headers=auth | {"Sforce-Query-Options": "batchSize=200"},
        )
        await h.client.post("/_control/cursors/expire", json={"provider": provider})
        return await h.client.get("/salesforce" + first.json()["nextRecordsUrl"], headers=auth)
    if provider == "slack":
        first = await h.client.get("/slack/api/users.list", params={"limit": 5}, headers=auth)
        await h.client.post("/_control/cursors/expire", json={"provider": provider})
        cursor = first.json()["response_metadata"]["next_cursor"]
        return await h.client.get("/slack/api/users.list", params={"cursor": cursor}, headers=auth)
    if provider == "zendesk":
        url = "/zendesk/api/v2/incremental/tickets/cursor.json"
        first = await h.client.get(
            url, params={"start_time": 1756684800, "per_page": 5}, headers=auth
        )
        await h.client.post("/_control/cursors/expire", json={"provider": provider})
        return await h.client.get(
            url, params={"cursor": first.json()["after_cursor"]}, headers=auth
        )
    cloud = (await h.client.get("/jira/oauth/token/accessible-resources", headers=auth)).json()[0][
        "id"
    ]
    url = f"/jira/ex/jira/{cloud}/rest/api/3/search/jql"
    first = await h.client.get(url, params={"jql": "project = ENG", "maxResults": 5}, headers=auth)
    await h.client.post("/_control/cursors/expire", json={"provider": provider})
    return await h.client.get(
        url, params={"nextPageToken": first.json()["nextPageToken"]}, headers=auth
    )


@pytest.mark.parametrize(
    ("provider", "status", "marker"),
    [
        ("salesforce", 400, "INVALID_QUERY_LOCATOR"),
        ("slack", 200, "invalid_cursor"),
        ("zendesk", 400, "InvalidPaginationParameter"),
        ("jira", 400, "next page token is invalid or expired"),
    ],
)
async def test_expired_cursors_get_each_providers_answer(
    provider: Provider, status: int, marker: str
) -> None:
    async with running_sandbox() as h:
        stale = await _stale(h, provider)

    assert stale.status_code == status
    assert marker in stale.text
