"""The Salesforce normaliser keeps its allow-list, and reads Salesforce's answers right."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from adapters.connectors.api import ApiResponse
from adapters.connectors.salesforce import activities, normalise
from adapters.connectors.salesforce.errors import classify
from adapters.connectors.salesforce.reader import ModstampCursor
from adapters.connectors.salesforce.records import (
    Event,
    Opportunity,
    QueryPage,
    Task,
    select_list,
)
from adapters.connectors.salesforce.usage import below_reserve, remaining

SOURCE = normalise.Source(scope="c0nn", org="00D5g00000AtLas", instance_url="https://acme.my")
OWNER, CONTACT, DEAL = "0055g0000000001AAA", "0035g0000000001AAA", "0065g0000000001AAA"
CANARY = "ATLAS-CANARY-task-subject-0123456789ab"


def _task_page(**fields: object) -> bytes:
    record = {
        "attributes": {"type": "Task", "url": "/services/data/v62.0/sobjects/Task/00T1"},
        "Id": "00T5g0000000001AAA",
        "SystemModstamp": "2026-01-05T10:00:00.000+0000",
        "CreatedDate": "2026-01-05T10:00:00.000+0000",
        "WhoId": CONTACT,
        "WhatId": DEAL,
        "OwnerId": OWNER,
        "ActivityDate": "2026-01-05",
        "Status": "Completed",
        "Type": "Call",
        "TaskSubtype": "Call",
        "Subject": CANARY,
        "Description": f"Notes: {CANARY}",
        **fields,
    }
    return msgspec.json.encode({"totalSize": 1, "done": True, "records": [record]})


def test_a_task_with_a_subject_and_description_yields_none_of_them() -> None:
    page = msgspec.json.decode(_task_page(), type=QueryPage[Task])

    sut = activities.tasks(SOURCE, page.records)

    stored = msgspec.json.encode(sut)
    assert b"ATLAS-CANARY" not in stored
    assert b"Notes" not in stored
    (activity,) = sut.activities
    assert activity.type == "Call logged"
    assert activity.actor == SOURCE.ref("user", OWNER)
    assert {(link.object.source_id, link.qualifier) for link in activity.links} == {
        (f"contact:{CONTACT}", "contact"),
        (f"opportunity:{DEAL}", "deal"),
    }
    assert activity.url == "https://acme.my/00T5g0000000001AAA"
    # Every record the activity names comes along as a mention.
    assert {e.ref for e in sut.entities} == {
        activity.actor,
        *(link.object for link in activity.links),
    }
    assert all(e.reference for e in sut.entities)


def test_the_queries_never_ask_for_content_fields() -> None:
    for kind in (Task, Event):
        fields = select_list(kind)

        assert "Subject" not in fields
        assert "Description" not in fields
        assert {"Id", "SystemModstamp", "WhoId", "WhatId", "OwnerId"} <= set(fields)


def test_a_backdated_logged_call_happened_on_its_activity_date() -> None:
    (task,) = msgspec.json.decode(
        _task_page(ActivityDate="2026-01-02"), type=QueryPage[Task]
    ).records

    assert activities.task_time(task) == datetime(2026, 1, 2, tzinfo=UTC)


def test_an_open_task_happened_when_it_was_created_not_on_its_due_date() -> None:
    (task,) = msgspec.json.decode(
        _task_page(
            ActivityDate="2026-02-01", Status="Not Started", Type="Other", TaskSubtype="Task"
        ),
        type=QueryPage[Task],
    ).records

    assert activities.task_kind(task) == "Task opened"
    assert activities.task_time(task) == datetime(2026, 1, 5, 10, tzinfo=UTC)


def test_a_deal_keeps_its_stage_amount_and_links_its_account_and_owner() -> None:
    deal = Opportunity(
        id=DEAL,
        system_modstamp=datetime(2026, 1, 5, tzinfo=UTC),
        name="Acme - Renewal",
        stage_name="Negotiation/Review",
        amount=42000.0,
        owner_id=OWNER,
        account_id="0015g0000000001AAA",
    )

    sut = normalise.opportunities(SOURCE, [deal])

    record = sut.entities[0]
    values = {a.name: a.value for a in record.attributes}
    assert (record.type, record.name, record.reference) == ("deal", "Acme - Renewal", False)
    assert values["stage"] == "Negotiation/Review"
    assert values["amount"] == 42000.0
    assert {(r.target.source_id, r.qualifier) for r in sut.relationships} == {
        ("account:0015g0000000001AAA", "account"),
        (f"user:{OWNER}", "owner"),
    }


@pytest.mark.parametrize(
    ("website", "domain"),
    [
        ("https://www.acme.com/about", "acme.com"),
        ("acme.co.uk", "acme.co.uk"),
        ("HTTP://Shop.Acme.com", "shop.acme.com"),
        ("localhost", None),
        ("", None),
        (None, None),
    ],
)
def test_a_website_gives_the_domain_companies_resolve_by(
    website: str | None, domain: str | None
) -> None:
    assert normalise.website_domain(website) == domain


def test_the_daily_allowance_spent_reschedules_for_an_hour_and_other_refusals_do_not() -> None:
    now = datetime(2026, 1, 5, tzinfo=UTC)

    def answer(status: int, code: str) -> ApiResponse:
        body = msgspec.json.encode([{"message": "x", "errorCode": code}])
        return ApiResponse(status=status, headers={}, content=body)

    spent = classify(answer(403, "REQUEST_LIMIT_EXCEEDED"), now)

    assert spent is not None
    assert (spent.kind, spent.retry_after) == ("throttled", 3600.0)
    assert classify(answer(403, "INSUFFICIENT_ACCESS"), now) is None
    assert classify(answer(401, "INVALID_SESSION_ID"), now) is None  # renewed by status


def test_the_cursor_orders_equal_timestamps_by_id_as_soql_does() -> None:
    at = datetime(2026, 1, 5, tzinfo=UTC)
    sut = ModstampCursor(at=at, id="00T5g000000000BAAA")

    def task(record_id: str, moment: datetime = at) -> Task:
        return Task(id=record_id, system_modstamp=moment, created_date=moment)

    assert not sut.before(task("00T5g000000000AAAA"))
    assert not sut.before(task("00T5g000000000BAAA"))
    assert sut.before(task("00T5g000000000CAAA"))
    # SOQL sorts ids case-insensitively: a lower-case "a" comes before "B", a "c" after it.
    assert not sut.before(task("00T5g000000000aAAB"))
    assert sut.before(task("00T5g000000000cAAE"))
    assert ModstampCursor(at=at).before(task("00T5g000000000AAAA"))


def test_the_allowance_is_read_from_every_answer_and_its_last_share_left_alone() -> None:
    answer = ApiResponse(
        status=200, headers={"sforce-limit-info": "api-usage=96001/100000"}, content=b"{}"
    )

    assert remaining(answer) == (96001, 100000)
    assert remaining(ApiResponse(status=200, headers={}, content=b"{}")) is None
    assert below_reserve(96001, 100000)  # 5 % of the org's allowance stays its own
    assert not below_reserve(94000, 100000)
    assert below_reserve(4600, 5000)  # at least 500 calls, however small the org
