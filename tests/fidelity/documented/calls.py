"""The sandbox asked what each connector asks it, with the connector's own paths, parameters
and bodies (its readers' constants and query builders), and every answer kept by the registry
entry it was asked through: first pages, later pages and last pages alike."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx

from adapters.connectors.hubspot import calls as hubspot_calls
from adapters.connectors.hubspot import originals as hubspot_originals
from adapters.connectors.hubspot import reader as hubspot
from adapters.connectors.hubspot.windows import Query
from adapters.connectors.jira import jql
from adapters.connectors.jira import reader as jira
from adapters.connectors.salesforce import normalise as salesforce_normalise
from adapters.connectors.salesforce import originals as salesforce_originals
from adapters.connectors.salesforce import reader as salesforce
from adapters.connectors.salesforce import soql
from adapters.connectors.salesforce.deletions import _iso, _minute
from adapters.connectors.zendesk import reader as zendesk
from tests.factories.sandbox import Harness, bearer, connect

Key = tuple[str, str, str]  # a registry entry: (provider, method, path)
Answers = dict[Key, list[httpx.Response]]
# Called by a connector but not (yet) in the registry: checked all the same.
SF_DELETED: Key = ("salesforce", "GET", "/services/data/{}/sobjects/{}/deleted/")
SF_QUERY_ALL: Key = ("salesforce", "GET", "/services/data/{}/queryAll")
SINCE = datetime(2025, 9, 1, tzinfo=UTC)  # the seeded activity's first day
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)  # before any seeded record (users, accounts)


async def delete_a_deal(h: Harness) -> None:
    """One deal deleted an hour ago: the delete log and the archived list then hold one."""
    gone = {"kind": "deal", "key": 2, "action": "delete"}
    gone["at"] = (h.clock.now() - timedelta(hours=1)).isoformat()
    assert (await h.client.post("/_control/records", json=gone)).status_code == 200


async def salesforce_answers(h: Harness) -> Answers:
    auth = bearer((await connect(h.client, "salesforce"))["access_token"])
    await delete_a_deal(h)
    root = f"/salesforce/services/data/{salesforce.API_VERSION}"
    hi = h.clock.now().replace(microsecond=0) - salesforce.LAG
    out: Answers = defaultdict(list)
    out["salesforce", "GET", "/services/data/{}"].append(
        await h.client.get(f"{root}/", headers=auth)
    )
    first_ids: dict[str, str] = {}
    for stream in salesforce.OBJECTS.values():
        q = {"q": soql.window(stream.sobject, stream.fields, LONG_AGO, hi)}
        small = {"Sforce-Query-Options": "batchSize=200"}  # so that the larger objects page
        page = await h.client.get(f"{root}/query", params=q, headers=auth | small)
        out["salesforce", "GET", "/services/data/{}/query"].append(page)
        if page.json()["records"]:
            first_ids[stream.sobject] = page.json()["records"][0]["Id"]
        while not page.json()["done"]:
            page = await h.client.get("/salesforce" + page.json()["nextRecordsUrl"], headers=auth)
            out["salesforce", "GET", "/services/data/{}/query/{}"].append(page)
    for sobject in salesforce_originals.SOBJECTS.values():
        one = await h.client.get(f"{root}/sobjects/{sobject}/{first_ids[sobject]}", headers=auth)
        out["salesforce", "GET", "/services/data/{}/sobjects/{}/{}"].append(one)
    span = {"start": _iso(_minute(hi - timedelta(days=3))), "end": _iso(_minute(hi))}
    for sobject in salesforce_normalise.DELETABLE:  # the delete log, then the live ids
        log = await h.client.get(f"{root}/sobjects/{sobject}/deleted/", params=span, headers=auth)
        out[SF_DELETED].append(log)
        ids = {"q": soql.ids_after(sobject, None)}
        out[SF_QUERY_ALL].append(await h.client.get(f"{root}/queryAll", params=ids, headers=auth))
    return out


async def hubspot_answers(h: Harness) -> Answers:
    auth = bearer((await connect(h.client, "hubspot"))["access_token"])
    await delete_a_deal(h)
    hi = int((h.clock.now() - hubspot.LAG).timestamp() * 1000)
    out: Answers = defaultdict(list)
    deal_ids: list[str] = []
    contact_ids: list[str] = []
    for kind in (hubspot.COMPANIES, hubspot.CONTACTS, hubspot.DEALS):
        base = f"/crm/v3/objects/{kind.object_type}"
        for limit in (hubspot_calls.PAGE, 25):  # the connector's pages, and short ones
            after: str | None = None
            while True:
                body = hubspot_calls.search_body(kind, Query(lo=0, hi=hi, after=after))
                page = await h.client.post(
                    f"/hubspot{base}/search", json=body | {"limit": limit}, headers=auth
                )
                out["hubspot", "POST", base + "/search"].append(page)
                after = (page.json().get("paging") or {}).get("next", {}).get("after")
                if after is None:
                    break
        ids = [r["id"] for r in page.json()["results"]]
        deal_ids += ids if kind is hubspot.DEALS else []
        contact_ids += ids if kind is hubspot.CONTACTS else []
        archived = {"archived": "true", "limit": "100", "properties": "hs_object_id"}
        for params in (archived, {"limit": "100", "properties": ",".join(kind.properties)}):
            out["hubspot", "GET", base].append(
                await h.client.get(f"/hubspot{base}", params=params, headers=auth)
            )
        read = {"properties": hubspot_originals.PROPERTIES[kind.object_type]}
        if kind is hubspot.DEALS:
            read["propertiesWithHistory"] = "dealstage"
        out["hubspot", "GET", base + "/{}"].append(
            await h.client.get(f"/hubspot{base}/{ids[0]}", params=read, headers=auth)
        )
        batch = {
            "inputs": [{"id": i} for i in ids[: hubspot_calls.HISTORY_BATCH]],
            "properties": ["dealstage"] if kind is hubspot.DEALS else list(kind.properties),
            **({"propertiesWithHistory": ["dealstage"]} if kind is hubspot.DEALS else {}),
        }
        out["hubspot", "POST", base + "/batch/read"].append(
            await h.client.post(f"/hubspot{base}/batch/read", json=batch, headers=auth)
        )
    rest = {"limit": str(hubspot_calls.ASSOCIATION_PAGE)}  # a row past 500 associations
    links = (("deals", "companies", deal_ids), ("deals", "contacts", deal_ids),
             ("contacts", "companies", contact_ids))  # fmt: skip
    for source, target, ids in links:
        path = f"/crm/v4/associations/{source}/{target}/batch/read"
        body = {"inputs": [{"id": i} for i in ids[: hubspot_calls.ASSOCIATION_BATCH]]}
        out["hubspot", "POST", path].append(
            await h.client.post(f"/hubspot{path}", json=body, headers=auth)
        )
        listed = ("hubspot", "GET", f"/crm/v4/objects/{source}/{{}}/associations/{target}")
        path = f"/hubspot/crm/v4/objects/{source}/{ids[0]}/associations/{target}"
        out[listed].append(await h.client.get(path, params=rest, headers=auth))
    pipelines = await h.client.get("/hubspot/crm/v3/pipelines/deals", headers=auth)
    out["hubspot", "GET", "/crm/v3/pipelines/deals"].append(pipelines)
    return out


def _zd(path: str) -> Key:
    return ("zendesk", "GET", "/api/v2/" + path)


async def zendesk_answers(h: Harness) -> Answers:
    auth = bearer((await connect(h.client, "zendesk"))["access_token"])
    api, out = "/zendesk/api/v2", defaultdict[Key, list[httpx.Response]](list)
    size = str(zendesk.EXPORT_PAGE)
    for per_page in (size, "100"):  # the connector's pages, and short ones
        params = {"per_page": per_page, "start_time": str(int(SINCE.timestamp()))}
        while True:
            page = await h.client.get(
                f"{api}/incremental/tickets/cursor.json", params=params, headers=auth
            )
            out[_zd("incremental/tickets/cursor.json")].append(page)
            if page.json()["end_of_stream"]:
                break
            params = {"per_page": per_page, "cursor": page.json()["after_cursor"]}
    ticket = page.json()["tickets"][-1]["id"] if page.json()["tickets"] else 1001
    start = str(int(SINCE.timestamp()))
    while True:
        events = await h.client.get(
            f"{api}/incremental/ticket_events.json",
            params={"start_time": start, "per_page": size},
            headers=auth,
        )
        out[_zd("incremental/ticket_events.json")].append(events)
        if events.json()["end_of_stream"]:
            break
        start = str(events.json()["end_time"])
    for kind in ("users", "organizations"):
        listing = {"page[size]": "100"}
        while True:
            page = await h.client.get(f"{api}/{kind}.json", params=listing, headers=auth)
            out[_zd(f"{kind}.json")].append(page)
            if not page.json()["meta"]["has_more"]:
                break
            listing = {"page[size]": "100", "page[after]": page.json()["meta"]["after_cursor"]}
        first = page.json()[kind][0]["id"]
        out[_zd(f"{kind}/{{}}")].append(
            await h.client.get(f"{api}/{kind}/{first}.json", headers=auth)
        )
    event = out[_zd("incremental/ticket_events.json")][0].json()["ticket_events"][0]
    out[_zd("tickets/{}")].append(await h.client.get(f"{api}/tickets/{ticket}.json", headers=auth))
    audit = f"{api}/tickets/{event['ticket_id']}/audits/{event['id']}.json"
    out[_zd("tickets/{}/audits/{}")].append(await h.client.get(audit, headers=auth))
    return out


async def jira_answers(h: Harness) -> Answers:
    auth = bearer((await connect(h.client, "jira"))["access_token"])
    out: Answers = defaultdict(list)
    sites = await h.client.get("/jira/oauth/token/accessible-resources", headers=auth)
    out["jira", "GET", "/oauth/token/accessible-resources"].append(sites)
    site = "/ex/jira/{}/rest/api/3"
    api = "/jira" + site.format(sites.json()[0]["id"])
    me = await h.client.get(f"{api}/myself", headers=auth)
    out["jira", "GET", site + "/myself"].append(me)
    zone = jql.user_zone(me.json().get("timeZone"))
    query = jql.window(SINCE, h.clock.now() - jira.LAG, zone)
    token: str | None = None
    while True:
        params = [("jql", query), ("fields", ",".join(jira.FIELDS)),
                  ("maxResults", str(jira.PAGE)), ("expand", "changelog")]  # fmt: skip
        params += [("nextPageToken", token)] if token else []
        page = await h.client.get(f"{api}/search/jql", params=params, headers=auth)
        out["jira", "GET", site + "/search/jql"].append(page)
        token = page.json().get("nextPageToken")
        if token is None:
            break
    body = {"jql": jql.since(SINCE, zone), "fields": ["id"], "maxResults": 50}
    out["jira", "POST", site + "/search/jql"].append(
        await h.client.post(f"{api}/search/jql", json=body, headers=auth)
    )
    issue = max(page.json()["issues"], key=lambda i: i["changelog"]["total"])["id"]
    whole = [("startAt", "0"), ("maxResults", str(jira.HISTORY_PAGE))]  # the connector's page
    out["jira", "GET", site + "/issue/{}/changelog"].append(
        await h.client.get(f"{api}/issue/{issue}/changelog", params=whole, headers=auth)
    )
    start = 0
    while True:  # and short pages, so that the history takes more than one
        params = [("startAt", str(start)), ("maxResults", "2")]
        changes = await h.client.get(f"{api}/issue/{issue}/changelog", params=params, headers=auth)
        out["jira", "GET", site + "/issue/{}/changelog"].append(changes)
        start += len(changes.json()["values"])
        if changes.json()["isLast"]:
            break
    one = await h.client.get(f"{api}/issue/{issue}", params={"expand": "changelog"}, headers=auth)
    out["jira", "GET", site + "/issue/{}"].append(one)
    return out


DRIVERS: dict[str, Callable[[Harness], Awaitable[Answers]]] = {
    "salesforce": salesforce_answers,
    "hubspot": hubspot_answers,
    "zendesk": zendesk_answers,
    "jira": jira_answers,
}
