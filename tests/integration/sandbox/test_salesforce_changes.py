"""Salesforce renders the mutations overlay in its own shapes, and answers getDeleted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx

from adapters.sandbox.providers.ids import salesforce_id
from adapters.sandbox.seed.model import Change
from tests.factories.sandbox import bearer, connect, running_sandbox

API = "/salesforce/services/data/v62.0"


async def _query(
    client: httpx.AsyncClient, auth: dict[str, str], q: str, *, deleted: bool = False
) -> Any:
    path = f"{API}/queryAll" if deleted else f"{API}/query"
    answer = await client.get(path, params={"q": q}, headers=auth)
    assert answer.status_code == 200, answer.text
    return answer.json()["records"]


def _iso(moment: Any) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S+00:00")


async def test_a_deleted_opportunity_leaves_query_and_takes_its_history_along() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "salesforce"))["access_token"])
        deal = next(d for d in h.sandbox.dataset.deals if d.stages[0].at < h.clock.now())
        opportunity = salesforce_id("Opportunity", deal.key)
        at = h.sandbox.clock.now() - timedelta(minutes=5)
        h.sandbox.mutations.delete("deal", deal.key, at)

        live = await _query(
            h.client, auth, f"SELECT Id FROM Opportunity WHERE Id = '{opportunity}'"
        )
        kept = await _query(
            h.client,
            auth,
            f"SELECT Id, IsDeleted, SystemModstamp FROM Opportunity WHERE Id = '{opportunity}'",
            deleted=True,
        )
        history = await _query(
            h.client,
            auth,
            f"SELECT Id, IsDeleted FROM OpportunityHistory WHERE OpportunityId = '{opportunity}'",
            deleted=True,
        )
        log = await h.client.get(
            f"{API}/sobjects/Opportunity/deleted/",
            params={"start": _iso(at - timedelta(hours=1)), "end": _iso(at + timedelta(minutes=3))},
            headers=auth,
        )

    assert live == []
    assert kept[0]["IsDeleted"] is True
    assert kept[0]["SystemModstamp"] == at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    assert history
    assert all(row["IsDeleted"] for row in history)
    assert log.status_code == 200, log.text
    body = log.json()
    assert [r["id"] for r in body["deletedRecords"]] == [opportunity]
    assert body["deletedRecords"][0]["deletedDate"] == kept[0]["SystemModstamp"]
    assert set(body) == {"deletedRecords", "earliestDateAvailable", "latestDateCovered"}


async def test_an_appended_stage_is_a_new_history_row_and_moves_the_opportunity() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "salesforce"))["access_token"])
        deal = next(d for d in h.sandbox.dataset.deals if d.stages[-1].value != "closed_won")
        opportunity = salesforce_id("Opportunity", deal.key)
        at = h.sandbox.clock.now().replace(microsecond=0) - timedelta(seconds=30)
        before = await _query(
            h.client,
            auth,
            f"SELECT Id FROM OpportunityHistory WHERE OpportunityId = '{opportunity}'",
        )
        h.sandbox.mutations.change("deal", deal.key, Change("closed_won", at, deal.owner))

        after = await _query(
            h.client,
            auth,
            "SELECT Id, StageName, CreatedDate FROM OpportunityHistory "
            f"WHERE OpportunityId = '{opportunity}' ORDER BY CreatedDate",
        )
        (moved,) = await _query(
            h.client,
            auth,
            f"SELECT StageName, IsWon, SystemModstamp FROM Opportunity WHERE Id = '{opportunity}'",
        )

    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    assert len(after) == len(before) + 1
    assert after[-1]["StageName"] == "Closed Won"
    assert after[-1]["CreatedDate"] == stamp
    assert after[-1]["Id"] not in {r["Id"] for r in before}
    assert moved == {
        "attributes": moved["attributes"],
        "StageName": "Closed Won",
        "IsWon": True,
        "SystemModstamp": stamp,
    }


async def test_touches_move_the_modstamp_and_a_deleted_employee_is_deactivated() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "salesforce"))["access_token"])
        contact = h.sandbox.dataset.contacts_of(0)[0]
        employee = h.sandbox.dataset.internal_people[5]
        at = h.sandbox.clock.now().replace(microsecond=0) - timedelta(seconds=10)
        h.sandbox.mutations.touch("person", contact.key, at)
        h.sandbox.mutations.delete("person", employee.key, at)

        contact_id = salesforce_id("Contact", contact.key)
        (touched,) = await _query(
            h.client, auth, f"SELECT SystemModstamp FROM Contact WHERE Id = '{contact_id}'"
        )
        (user,) = await _query(
            h.client,
            auth,
            "SELECT IsActive, SystemModstamp FROM User "
            f"WHERE Id = '{salesforce_id('User', employee.key)}'",
        )

    stamp = at.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    assert touched["SystemModstamp"] == stamp
    assert user["IsActive"] is False
    assert user["SystemModstamp"] == stamp


async def test_get_deleted_refuses_narrow_stale_and_unknown_requests() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "salesforce"))["access_token"])
        now = h.sandbox.clock.now().replace(second=0, microsecond=0)

        async def ask(sobject: str, start: Any, end: Any) -> httpx.Response:
            return await h.client.get(
                f"{API}/sobjects/{sobject}/deleted",
                params={"start": _iso(start), "end": _iso(end)},
                headers=auth,
            )

        # Seconds are ignored: 10:00:05 .. 10:01:55 is a one-minute span, which is too short.
        narrow = await ask(
            "Task", now - timedelta(minutes=2, seconds=-5), now - timedelta(seconds=5)
        )
        stale = await ask("Task", now - timedelta(days=17), now)
        unknown = await ask("Nope", now - timedelta(days=1), now)
        fine = await ask("Event", now - timedelta(days=10), now)

    assert narrow.status_code == 400
    assert narrow.json()[0]["errorCode"] == "INVALID_REPLICATION_DATE"
    assert stale.status_code == 400
    assert stale.json()[0]["errorCode"] == "INVALID_REPLICATION_DATE"
    assert unknown.status_code == 404
    assert fine.status_code == 200
    # Cancelled meetings are deleted Events: the log lists them with their cancellation.
    cancelled = fine.json()["deletedRecords"]
    assert cancelled
    assert all(r["id"].startswith("00U") for r in cancelled)


async def test_the_version_directory_answers_any_api_user_with_the_usage_header() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "salesforce"))["access_token"])

        answer = await h.client.get(f"{API}/", headers=auth)
        unknown = await h.client.get("/salesforce/services/data/v12.0/", headers=auth)

    assert answer.status_code == 200
    assert answer.json()["query"] == "/services/data/v62.0/query"
    assert answer.headers["sforce-limit-info"].startswith("api-usage=")
    assert unknown.status_code == 404
