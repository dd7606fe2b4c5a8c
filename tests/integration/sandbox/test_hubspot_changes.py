"""HubSpot renders the overlay in its own shapes: archived records, appended stages, touches."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.sandbox.providers.hubspot.records import object_id
from adapters.sandbox.seed.model import Change, state_at
from tests.factories.sandbox import bearer, connect, running_sandbox

DEALS = "/hubspot/crm/v3/objects/deals"


def _deal_by_id(deal_id: str) -> dict[str, Any]:
    return {"filterGroups": [{"filters": [{"propertyName": "hs_object_id", "operator": "EQ",
                                           "value": deal_id}]}]}  # fmt: skip


async def test_a_deleted_deal_is_archived_and_gone_from_search_batch_read_and_associations() -> (
    None
):
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "hubspot"))["access_token"])
        deal = h.sandbox.dataset.deals[0]
        deal_id, company_id = object_id("deals", deal.key), object_id("companies", deal.account)
        at = h.sandbox.clock.now() - timedelta(hours=1)
        h.sandbox.mutations.delete("deal", deal.key, at)
        searched = await h.client.post(f"{DEALS}/search", json=_deal_by_id(deal_id), headers=auth)
        read = await h.client.post(
            f"{DEALS}/batch/read", json={"inputs": [{"id": deal_id}]}, headers=auth
        )
        archived = await h.client.get(
            DEALS, params={"archived": "true", "limit": 100}, headers=auth
        )
        links = await h.client.get(
            f"/hubspot/crm/v4/objects/companies/{company_id}/associations/deals", headers=auth
        )

    assert searched.json()["total"] == 0
    assert read.status_code == 207
    assert read.json()["results"] == []
    assert read.json()["errors"][0]["category"] == "OBJECT_NOT_FOUND"
    (gone,) = archived.json()["results"]
    assert gone["id"] == deal_id
    assert gone["archived"] is True
    assert gone["archivedAt"].startswith(at.strftime("%Y-%m-%dT%H:%M:%S"))
    assert deal_id not in {str(r["toObjectId"]) for r in links.json()["results"]}


async def test_an_appended_stage_change_joins_the_history_and_moves_the_modified_date() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "hubspot"))["access_token"])
        now = h.sandbox.clock.now().replace(microsecond=0)
        deal = next(
            d for d in h.sandbox.dataset.deals
            if (s := state_at(d.stages, now)) is not None and not s.value.startswith("closed")
        )  # fmt: skip
        deal_id = object_id("deals", deal.key)
        h.sandbox.mutations.change("deal", deal.key, Change("closed_won", now, deal.owner))
        read = await h.client.post(
            f"{DEALS}/batch/read",
            json={"inputs": [{"id": deal_id}], "propertiesWithHistory": ["dealstage"]},
            headers=auth,
        )
        found = await h.client.post(
            f"{DEALS}/search",
            json=_deal_by_id(deal_id) | {"properties": ["dealstage", "hs_lastmodifieddate"]},
            headers=auth,
        )

    newest = read.json()["results"][0]["propertiesWithHistory"]["dealstage"][0]
    assert newest["value"] == "closedwon"
    assert newest["timestamp"] == now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    properties = found.json()["results"][0]["properties"]
    assert properties["dealstage"] == "closedwon"
    assert properties["hs_lastmodifieddate"] == newest["timestamp"]


async def test_a_touched_contact_is_found_by_its_new_modified_date() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "hubspot"))["access_token"])
        person = h.sandbox.dataset.contacts_of(0)[0]
        at = h.sandbox.clock.now().replace(microsecond=0) - timedelta(minutes=5)
        h.sandbox.mutations.touch("person", person.key, at)
        stamp = str(int(at.timestamp() * 1000))
        window = [
            {"propertyName": "lastmodifieddate", "operator": "GTE", "value": stamp},
            {"propertyName": "lastmodifieddate", "operator": "LT", "value": str(int(stamp) + 1)},
        ]
        found = await h.client.post(
            "/hubspot/crm/v3/objects/contacts/search",
            json={"filterGroups": [{"filters": window}], "properties": ["email"]},
            headers=auth,
        )

    assert [r["properties"]["email"] for r in found.json()["results"]] == [person.email]


async def test_the_deal_pipeline_names_its_stages() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "hubspot"))["access_token"])
        answer = await h.client.get("/hubspot/crm/v3/pipelines/deals", headers=auth)

    (pipeline,) = answer.json()["results"]
    labels = {s["id"]: s["label"] for s in pipeline["stages"]}
    assert labels["closedwon"] == "Closed Won"
    assert labels["appointmentscheduled"] == "Appointment Scheduled"
