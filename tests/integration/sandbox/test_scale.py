"""The company at a chosen size, as served: the census the control API reports is what a full
sync of each provider actually pages through."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.sandbox.config import Provider, SandboxConfig, development_registrations
from adapters.sandbox.providers.google.mailbox import mailbox
from adapters.sandbox.seed.census import census
from adapters.sandbox.seed.scale import ScaleError
from tests.factories import sandbox_walks as walks
from tests.factories.sandbox import Harness, access_token, bearer, connect, running_sandbox


async def _walked(h: Harness, provider: Provider, *names: str) -> int:
    """Records served by the named walks, signed in to ``provider`` as the RevOps lead."""
    tokens = await connect(h.client, provider)
    meter = walks.Meter(h.client, bearer(access_token(provider, tokens)), 600, {})
    chosen = {walk.__name__: walk for _, _, walk in walks.WALKS}
    for name in names:
        await chosen[name](meter)
    return meter.records


@pytest.mark.parametrize("scale", [1, 2])
async def test_the_census_is_what_a_full_sync_of_each_provider_gets(scale: float) -> None:
    async with running_sandbox(scale=scale) as h:
        counts = census(h.sandbox.dataset, h.clock.now())
        lagged = census(h.sandbox.dataset, h.clock.now() - timedelta(minutes=1))  # Zendesk's lag
        hubspot, slack, zendesk = counts["hubspot"], counts["slack"], lagged["zendesk"]
        served = {
            "salesforce": await _walked(h, "salesforce", "salesforce"),
            "hubspot objects": await _walked(h, "hubspot", "hubspot_search"),
            "hubspot history": await _walked(h, "hubspot", "hubspot_search", "hubspot_batch_read")
            - sum(hubspot[k] for k in ("companies", "contacts", "deals", "tickets"))
            - hubspot["meetings"]
            - hubspot["emails"],
            "gmail": await _walked(h, "google", "gmail"),
            "calendar": await _walked(h, "google", "calendar"),
            "slack": await _walked(h, "slack", "slack", "slack_replies"),
            "zendesk": await _walked(h, "zendesk", "zendesk_exports", "zendesk_listings"),
            "jira": await _walked(h, "jira", "jira", "jira_changelog"),
        }

    assert served == {
        "salesforce": sum(counts["salesforce"].values()),
        "hubspot objects": sum(hubspot.values())
        - hubspot["deal stage history"]
        - hubspot["ticket stage history"],
        "hubspot history": hubspot["deal stage history"] + hubspot["ticket stage history"],
        "gmail": counts["gmail"]["messages"],
        "calendar": counts["google_calendar"]["events"],
        "slack": sum(slack.values()),
        "zendesk": sum(zendesk.values()),
        "jira": sum(counts["jira"].values()),
    }


async def test_the_control_api_reports_the_scale_and_records_per_provider() -> None:
    async with running_sandbox(scale=2) as h:
        brief = (await h.client.get("/_control/dataset")).json()
        expected = census(h.sandbox.dataset, h.clock.now())

    assert brief["scale"] == 2
    assert brief["records"] == expected
    assert brief["records_total"] == sum(n for kinds in expected.values() for n in kinds.values())
    assert brief["counts"]["accounts"] == 48


async def test_gmail_history_pages_cover_the_window_once_in_order() -> None:
    async with running_sandbox(scale=2) as h:
        auth = bearer((await connect(h.client, "google"))["access_token"])
        box = mailbox(h.sandbox.dataset, h.sandbox.dataset.revops_lead.key)
        start, token, seen = box.oldest_valid(h.clock.now()), None, []
        while True:
            params = {"startHistoryId": str(start), "maxResults": "50"}
            page = (
                await h.client.get(
                    "/google/gmail/v1/users/me/history",
                    params=params | ({"pageToken": token} if token else {}),
                    headers=auth,
                )
            ).json()
            seen += [int(r["id"]) for r in page.get("history", [])]
            token = page.get("nextPageToken")
            if not token:
                break

    expected = [e.id for e in box.events if start < e.id <= box.history_id(h.clock.now())]
    assert len(seen) > 50
    assert seen == expected


def test_a_sandbox_refuses_a_scale_outside_the_range() -> None:
    with pytest.raises(ScaleError, match="from 1 to 100"):
        SandboxConfig(registrations=development_registrations(), scale=0)
