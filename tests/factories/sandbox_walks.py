"""How a full sync walks each provider's list endpoints of the sandbox, one walk per endpoint.

Each walk pages to the end the way a connector does: Salesforce locators, HubSpot search with
the 10,000-result cap sidestepped by restarting from the last modification time, Gmail list then
one get per message, Slack history per channel then replies per thread, and so on; it counts
the calls and the records served. ``python -m bench sandbox`` times them on the large company;
tests check the records against the census the control API reports.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

SF = "/salesforce/services/data/v63.0"
SOBJECTS = {
    "User": "Id, Name, Email",
    "Account": "Id, Name, Website",
    "Contact": "Id, Email, AccountId",
    "Opportunity": "Id, Name, StageName, Amount",
    "OpportunityHistory": "Id, OpportunityId, StageName",
    "Task": "Id, Subject, WhatId",
    "Event": "Id, Subject, StartDateTime, IsDeleted",
}
HUBSPOT_TYPES = ("contacts", "companies", "deals", "tickets", "meetings", "emails")
SLACK = "/slack/api"
ZENDESK = "/zendesk/api/v2"


class OutOfTime(Exception):
    pass


class Meter:
    """The client a walk calls through: counts calls and records, stops at the time budget."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        auth: dict[str, str],
        budget: float,
        context: dict[str, Any],
    ) -> None:
        self.client, self.auth, self.context = client, auth, context
        self.calls = self.records = 0
        self._deadline = time.perf_counter() + budget

    async def call(self, method: str, url: str, **kwargs: Any) -> Any:
        if time.perf_counter() > self._deadline:
            raise OutOfTime
        self.calls += 1
        answer = await self.client.request(method, url, headers=self.auth, **kwargs)
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
        return answer.json()


async def salesforce(m: Meter) -> None:
    for sobject, fields in SOBJECTS.items():
        endpoint = "queryAll" if sobject == "Event" else "query"
        q = f"SELECT {fields} FROM {sobject} ORDER BY SystemModstamp, Id"
        page = await m.call("GET", f"{SF}/{endpoint}", params={"q": q})
        m.records += len(page["records"])
        while not page["done"]:
            page = await m.call("GET", "/salesforce" + page["nextRecordsUrl"])
            m.records += len(page["records"])


async def hubspot_search(m: Meter) -> None:
    ids: dict[str, dict[str, None]] = m.context.setdefault("hubspot_ids", {})
    for object_type in HUBSPOT_TYPES:
        prop = "lastmodifieddate" if object_type == "contacts" else "hs_lastmodifieddate"
        seen = ids.setdefault(object_type, {})
        since, after = "0", None
        while True:
            body: dict[str, Any] = {
                "filterGroups": [
                    {"filters": [{"propertyName": prop, "operator": "GTE", "value": since}]}
                ],
                "sorts": [{"propertyName": prop, "direction": "ASCENDING"}],
                "properties": [prop],
                "limit": 200,
                **({"after": after} if after else {}),
            }
            page = await m.call("POST", f"/hubspot/crm/v3/objects/{object_type}/search", json=body)
            seen.update(dict.fromkeys(r["id"] for r in page["results"]))
            after = page.get("paging", {}).get("next", {}).get("after")
            if after is None:
                break
            if int(after) >= 10_000:  # the search cap: restart from the last modification
                since, after = page["results"][-1]["properties"][prop], None
        m.records += len(seen)


async def hubspot_list(m: Meter) -> None:
    for object_type in HUBSPOT_TYPES:
        after: str | None = None
        while True:
            params = {"limit": "100", **({"after": after} if after else {})}
            page = await m.call("GET", f"/hubspot/crm/v3/objects/{object_type}", params=params)
            m.records += len(page["results"])
            after = page.get("paging", {}).get("next", {}).get("after")
            if after is None:
                break


async def hubspot_batch_read(m: Meter) -> None:
    ids = {k: list(v) for k, v in m.context["hubspot_ids"].items()}
    for object_type, prop in (("deals", "dealstage"), ("tickets", "hs_pipeline_stage")):
        for i in range(0, len(ids.get(object_type, ())), 100):
            body = {
                "inputs": [{"id": x} for x in ids[object_type][i : i + 100]],
                "properties": [prop],
                "propertiesWithHistory": [prop],
            }
            url = f"/hubspot/crm/v3/objects/{object_type}/batch/read"
            results = (await m.call("POST", url, json=body))["results"]
            m.records += sum(len(r["propertiesWithHistory"][prop]) for r in results)


async def hubspot_associations(m: Meter) -> None:
    ids = {k: list(v) for k, v in m.context["hubspot_ids"].items()}
    for source, target in (("deals", "contacts"), ("contacts", "deals"), ("emails", "contacts")):
        for i in range(0, len(ids.get(source, ())), 100):
            body = {"inputs": [{"id": x} for x in ids[source][i : i + 100]]}
            url = f"/hubspot/crm/v4/associations/{source}/{target}/batch/read"
            m.records += len((await m.call("POST", url, json=body))["results"])


async def gmail(m: Meter) -> None:
    base, ids, token = "/google/gmail/v1/users/me", [], None
    while True:
        params = {"maxResults": "500", **({"pageToken": token} if token else {})}
        page = await m.call("GET", f"{base}/messages", params=params)
        ids += [x["id"] for x in page.get("messages", [])]
        token = page.get("nextPageToken")
        if not token:
            break
    headers = [("format", "metadata"), ("metadataHeaders", "From"), ("metadataHeaders", "To")]
    for message in ids:
        await m.call("GET", f"{base}/messages/{message}", params=headers)
        m.records += 1


async def gmail_history(m: Meter) -> None:
    start, token = str(m.context["history_start"]), None
    while True:
        params = {"startHistoryId": start, "maxResults": "500"}
        page = await m.call(
            "GET",
            "/google/gmail/v1/users/me/history",
            params=params | ({"pageToken": token} if token else {}),
        )
        m.records += len(page.get("history", []))
        token = page.get("nextPageToken")
        if not token:
            break


async def calendar(m: Meter) -> None:
    url, token = "/google/calendar/v3/calendars/primary/events", None
    while True:
        params = {"maxResults": "250", "showDeleted": "true", "singleEvents": "true"}
        page = await m.call("GET", url, params=params | ({"pageToken": token} if token else {}))
        m.records += len(page["items"])
        token = page.get("nextPageToken")
        if not token:
            break
    await m.call("GET", url, params={"syncToken": page["nextSyncToken"]})


async def _slack_pages(m: Meter, method: str, key: str, **params: str) -> list[Any]:
    items: list[Any] = []
    cursor = ""
    while True:
        page = await m.call("GET", f"{SLACK}/{method}", params=params | {"cursor": cursor})
        items += page[key]
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            return items


async def slack(m: Meter) -> None:
    types = "public_channel,private_channel"
    channels = await _slack_pages(m, "conversations.list", "channels", types=types, limit="200")
    members = await _slack_pages(m, "users.list", "members", limit="200")
    m.records += len(channels) + len(members)
    threads = m.context.setdefault("slack_threads", [])
    for channel in channels:
        history = await _slack_pages(
            m, "conversations.history", "messages", channel=channel["id"], limit="200"
        )
        m.records += len(history)
        threads += [(channel["id"], x["ts"]) for x in history if x.get("reply_count")]


async def slack_replies(m: Meter) -> None:
    for channel, ts in m.context["slack_threads"]:
        thread = await _slack_pages(
            m, "conversations.replies", "messages", channel=channel, ts=ts, limit="200"
        )
        m.records += len(thread) - 1  # the parent came with the history


async def zendesk_exports(m: Meter) -> None:
    url, params = f"{ZENDESK}/incremental/tickets/cursor.json", {"start_time": "0"}
    while True:
        page = await m.call("GET", url, params=params)
        m.records += len(page["tickets"])
        if page["end_of_stream"]:
            break
        params = {"cursor": page["after_cursor"]}
    start, events = "0", set()
    while True:
        url = f"{ZENDESK}/incremental/ticket_events.json"
        page = await m.call("GET", url, params={"start_time": start})
        events |= {e["id"] for e in page["ticket_events"]}  # pages overlap on their end second
        if page["end_of_stream"]:
            break
        start = str(page["end_time"])
    m.records += len(events)


async def zendesk_listings(m: Meter) -> None:
    for kind in ("users", "organizations"):
        url: str | None = f"{ZENDESK}/{kind}.json?page[size]=100"
        while url:
            page = await m.call("GET", url.removeprefix("https://sandbox.test"))
            m.records += len(page[kind])
            url = page["links"]["next"]


async def jira(m: Meter) -> None:
    resources = await m.call("GET", "/jira/oauth/token/accessible-resources")
    api = f"/jira/ex/jira/{resources[0]['id']}/rest/api/3"
    jql, token, issues = 'updated >= "2000-01-01 00:00" ORDER BY updated ASC', None, list[str]()
    m.context["jira"] = (api, issues)
    while True:
        params = {"jql": jql, "maxResults": "100", "fields": "*all"}
        page = await m.call(
            "GET", f"{api}/search/jql", params=params | ({"nextPageToken": token} if token else {})
        )
        issues += [i["id"] for i in page["issues"]]
        token = page.get("nextPageToken")
        if not token:
            break
    m.records += len(issues)


async def jira_changelog(m: Meter) -> None:
    api, issues = m.context["jira"]
    for issue in issues:
        page = await m.call("GET", f"{api}/issue/{issue}/changelog")
        m.records += len(page["values"])


Walk = Callable[[Meter], Awaitable[None]]
WALKS: tuple[tuple[str, str, Walk], ...] = (
    ("salesforce query + nextRecordsUrl", "salesforce", salesforce),
    ("hubspot search (keyset past 10k)", "hubspot", hubspot_search),
    ("hubspot v3 objects list", "hubspot", hubspot_list),
    ("hubspot batch read (history entries)", "hubspot", hubspot_batch_read),
    ("hubspot v4 associations batch", "hubspot", hubspot_associations),
    ("gmail messages.list + messages.get", "google", gmail),
    ("gmail history.list (last 7 days)", "google", gmail_history),
    ("calendar events.list + syncToken", "google", calendar),
    ("slack conversations/users.list + history", "slack", slack),
    ("slack conversations.replies", "slack", slack_replies),
    ("zendesk incremental tickets + events", "zendesk", zendesk_exports),
    ("zendesk users + organizations", "zendesk", zendesk_listings),
    ("jira search/jql", "jira", jira),
    ("jira issue changelog", "jira", jira_changelog),
)
