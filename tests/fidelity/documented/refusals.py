"""The sandbox's refusals, asked for the way a connector meets them: a token the provider no
longer takes, a record that is gone, the rate limit (Salesforce: the daily allowance spent)
and, for Jira, a page token it refuses. Each answer is kept by its HTTP status."""

from __future__ import annotations

import httpx

from adapters.connectors.salesforce.reader import API_VERSION
from tests.factories.sandbox import Harness, bearer, connect

NOBODY = bearer("not-a-token-anyone-issued")


async def _limited(h: Harness, provider: str, path: str, auth: dict[str, str]) -> httpx.Response:
    rule = {"provider": provider, "fault": {"kind": "rate_limit", "retry_after": 30}}
    assert (await h.client.post("/_control/faults", json=rule)).status_code < 300
    return await h.client.get(path, headers=auth)


async def salesforce_refusals(h: Harness) -> dict[int, httpx.Response]:
    auth = bearer((await connect(h.client, "salesforce"))["access_token"])
    root = f"/salesforce/services/data/{API_VERSION}"
    return {
        401: await h.client.get(f"{root}/", headers=NOBODY),
        404: await h.client.get(f"{root}/sobjects/Opportunity/006000000000000AAA", headers=auth),
        403: await _limited(h, "salesforce", f"{root}/", auth),
    }


async def hubspot_refusals(h: Harness) -> dict[int, httpx.Response]:
    auth = bearer((await connect(h.client, "hubspot"))["access_token"])
    return {
        401: await h.client.get("/hubspot/crm/v3/pipelines/deals", headers=NOBODY),
        404: await h.client.get("/hubspot/crm/v3/objects/deals/999999999", headers=auth),
        429: await _limited(h, "hubspot", "/hubspot/crm/v3/objects/deals", auth),
    }


async def zendesk_refusals(h: Harness) -> dict[int, httpx.Response]:
    auth = bearer((await connect(h.client, "zendesk"))["access_token"])
    api = "/zendesk/api/v2"
    return {
        401: await h.client.get(f"{api}/users.json", headers=NOBODY),
        404: await h.client.get(f"{api}/tickets/99999999.json", headers=auth),
        429: await _limited(h, "zendesk", f"{api}/incremental/ticket_events.json", auth),
    }


async def jira_refusals(h: Harness) -> dict[int, httpx.Response]:
    auth = bearer((await connect(h.client, "jira"))["access_token"])
    sites = (await h.client.get("/jira/oauth/token/accessible-resources", headers=auth)).json()
    api = f"/jira/ex/jira/{sites[0]['id']}/rest/api/3"
    stale = {"jql": "ORDER BY updated ASC", "nextPageToken": "no-such-token"}
    return {
        400: await h.client.get(f"{api}/search/jql", params=stale, headers=auth),
        401: await h.client.get(f"{api}/myself", headers=NOBODY),
        404: await h.client.get(f"{api}/issue/99999999", headers=auth),
        429: await _limited(h, "jira", f"{api}/myself", auth),
    }


REFUSALS = {
    "salesforce": salesforce_refusals,
    "hubspot": hubspot_refusals,
    "zendesk": zendesk_refusals,
    "jira": jira_refusals,
}
