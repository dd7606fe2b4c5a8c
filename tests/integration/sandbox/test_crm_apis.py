"""Salesforce SOQL paging and HubSpot search, including their traps."""

from __future__ import annotations

from datetime import timedelta

from tests.factories.sandbox import bearer, connect, refresh, running_sandbox

QUERY = "/salesforce/services/data/v62.0/query"
WINDOW = (
    "SELECT Id, StageName, SystemModstamp FROM OpportunityHistory "
    "WHERE SystemModstamp >= 2025-09-01T00:00:00Z AND SystemModstamp < 2026-01-01T00:00:00Z "
    "ORDER BY SystemModstamp, Id"
)
SMALL_BATCH = {"Sforce-Query-Options": "batchSize=200"}


async def test_salesforce_query_pages_with_next_records_url_until_done() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "salesforce"))["access_token"])
        page = (await h.client.get(QUERY, params={"q": WINDOW}, headers=auth | SMALL_BATCH)).json()
        seen = list(page["records"])
        while not page["done"]:
            page = (await h.client.get("/salesforce" + page["nextRecordsUrl"], headers=auth)).json()
            seen += page["records"]

    stamps = [(r["SystemModstamp"], r["Id"]) for r in seen]
    assert len(seen) == page["totalSize"] > 200
    assert stamps == sorted(stamps)
    assert all("2025-09" <= s < "2026-01" for s, _ in stamps)
    assert "nextRecordsUrl" not in page
    assert seen[0]["attributes"]["type"] == "OpportunityHistory"


async def test_salesforce_query_locators_expire() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "salesforce"))["access_token"])
        first = (await h.client.get(QUERY, params={"q": WINDOW}, headers=auth | SMALL_BATCH)).json()
        h.clock.advance(timedelta(minutes=16))
        late = await h.client.get("/salesforce" + first["nextRecordsUrl"], headers=auth)

    assert late.status_code == 400
    assert late.json() == [
        {"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}
    ]


async def test_salesforce_refuses_quoted_datetimes_and_unknown_fields() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "salesforce"))["access_token"])
        quoted = await h.client.get(
            QUERY,
            params={
                "q": "SELECT Id FROM Opportunity WHERE SystemModstamp >= '2025-10-01T00:00:00Z'"
            },
            headers=auth,
        )
        unknown = await h.client.get(
            QUERY, params={"q": "SELECT Id, Nope FROM Opportunity"}, headers=auth
        )
        garbage = await h.client.get(QUERY, params={"q": "DELETE FROM Opportunity"}, headers=auth)

    assert quoted.status_code == 400
    assert quoted.json()[0]["errorCode"] == "MALFORMED_QUERY"
    assert unknown.json()[0]["errorCode"] == "INVALID_FIELD"
    assert garbage.json()[0]["errorCode"] == "MALFORMED_QUERY"


async def test_salesforce_shows_deals_moving_as_the_clock_moves() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "salesforce")
        q = {"q": "SELECT Id FROM OpportunityHistory"}
        before = (
            await h.client.get(QUERY, params=q, headers=bearer(tokens["access_token"]))
        ).json()
        h.clock.advance(timedelta(days=8))
        renewed = (await refresh(h.client, "salesforce", tokens["refresh_token"])).json()
        after = (
            await h.client.get(QUERY, params=q, headers=bearer(renewed["access_token"]))
        ).json()

    assert after["totalSize"] > before["totalSize"]


SEARCH = "/hubspot/crm/v3/objects/contacts/search"


def _window(lo: int, hi: int, after: int | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(lo)},
                    {"propertyName": "lastmodifieddate", "operator": "LT", "value": str(hi)},
                ]
            }
        ],
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        "properties": ["email"],
        "limit": 200,
    }
    if after is not None:
        body["after"] = str(after)
    return body


async def test_hubspot_search_pages_with_after_and_reports_the_total() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "hubspot"))["access_token"])
        body = {
            "limit": 20,
            "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
        }
        first = (
            await h.client.post("/hubspot/crm/v3/objects/deals/search", json=body, headers=auth)
        ).json()
        rest = (
            await h.client.post(
                "/hubspot/crm/v3/objects/deals/search",
                json={**body, "after": first["paging"]["next"]["after"], "limit": 200},
                headers=auth,
            )
        ).json()

    assert first["total"] == rest["total"] == len(first["results"]) + len(rest["results"])
    assert "paging" not in rest
    stamps = [r["properties"]["hs_lastmodifieddate"] for r in first["results"] + rest["results"]]
    assert stamps == sorted(stamps)


async def test_hubspot_refuses_paging_past_ten_thousand_results() -> None:
    async with running_sandbox(hubspot_bulk_contacts=10_500) as h:
        auth = bearer((await connect(h.client, "hubspot"))["access_token"])
        lo, hi = 0, 4_102_444_800_000
        first = (await h.client.post(SEARCH, json=_window(lo, hi), headers=auth)).json()
        capped = await h.client.post(SEARCH, json=_window(lo, hi, after=10_000), headers=auth)
        too_big = await h.client.post(SEARCH, json={**_window(lo, hi), "limit": 201}, headers=auth)

    assert first["total"] > 10_000
    assert capped.status_code == 400
    assert capped.json()["category"] == "VALIDATION_ERROR"
    assert too_big.status_code == 400


async def test_hubspot_batch_read_returns_the_stage_history_newest_first() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "hubspot"))["access_token"])
        deal = (
            await h.client.post(
                "/hubspot/crm/v3/objects/deals/search", json={"limit": 1}, headers=auth
            )
        ).json()["results"][0]
        read = await h.client.post(
            "/hubspot/crm/v3/objects/deals/batch/read",
            json={"inputs": [{"id": deal["id"]}], "propertiesWithHistory": ["dealstage"]},
            headers=auth,
        )
        links = await h.client.get(
            f"/hubspot/crm/v4/objects/deals/{deal['id']}/associations/companies", headers=auth
        )

    history = read.json()["results"][0]["propertiesWithHistory"]["dealstage"]
    assert history[-1]["value"] == "appointmentscheduled"
    assert [e["timestamp"] for e in history] == sorted(
        (e["timestamp"] for e in history), reverse=True
    )
    assert links.json()["results"][0]["associationTypes"][0]["typeId"] == 5


async def test_hubspot_answers_a_missing_scope_with_403() -> None:
    async with running_sandbox() as h:
        auth = bearer(
            (await connect(h.client, "hubspot", scope="oauth crm.objects.deals.read"))[
                "access_token"
            ]
        )
        refused = await h.client.post(
            "/hubspot/crm/v3/objects/tickets/search", json={}, headers=auth
        )

    assert refused.status_code == 403
    assert refused.json()["category"] == "MISSING_SCOPES"
