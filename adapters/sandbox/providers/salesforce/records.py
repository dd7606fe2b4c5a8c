"""The seeded company as Salesforce sObjects, as of a moment, and SOQL evaluated over them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from adapters.sandbox.providers.ids import salesforce_id as sid
from adapters.sandbox.providers.salesforce.soql import Condition, Query, SoqlError
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Meeting, history_until, state_at

STAGE_NAMES = {
    "prospecting": "Prospecting",
    "qualification": "Qualification",
    "proposal": "Proposal/Price Quote",
    "negotiation": "Negotiation/Review",
    "closed_won": "Closed Won",
    "closed_lost": "Closed Lost",
}
PROBABILITY = {"prospecting": 10, "qualification": 20, "proposal": 50, "negotiation": 80}
_COMMON = {"Id", "CreatedDate", "LastModifiedDate", "SystemModstamp", "IsDeleted"}
FIELDS: dict[str, set[str]] = {
    "Account": _COMMON | {"Name", "Website", "Industry", "OwnerId", "NumberOfEmployees"},
    "Contact": _COMMON
    | {"AccountId", "FirstName", "LastName", "Name", "Email", "Title", "OwnerId"},
    "User": _COMMON | {"Name", "Email", "Title", "IsActive", "TimeZoneSidKey", "Department"},
    "Opportunity": _COMMON
    | {"Name", "AccountId", "OwnerId", "StageName", "Amount", "CloseDate", "IsClosed", "IsWon"}
    | {"Probability"},
    "OpportunityHistory": _COMMON
    | {"OpportunityId", "StageName", "Amount", "CloseDate", "CreatedById", "Probability"},
    "Task": _COMMON
    | {"WhoId", "WhatId", "OwnerId", "ActivityDate", "Status", "Type", "TaskSubtype"}
    | {"Subject", "Description"},
    "Event": _COMMON
    | {"WhoId", "WhatId", "OwnerId", "StartDateTime", "EndDateTime", "Type", "Subject"}
    | {"Description", "ActivityDate"},
}


def rows(dataset: Dataset, sobject: str, now: datetime) -> list[dict[str, Any]]:
    builders = {
        "Account": _accounts,
        "Contact": _contacts,
        "User": _users,
        "Opportunity": _opportunities,
        "OpportunityHistory": _history,
        "Task": _tasks,
        "Event": _events,
    }
    if sobject not in builders:
        raise SoqlError("INVALID_TYPE", f"sObject type '{sobject}' is not supported.")
    return [row for row in builders[sobject](dataset, now) if row["CreatedDate"] <= now]


def run(
    query: Query, table: list[dict[str, Any]], *, include_deleted: bool
) -> list[dict[str, Any]]:
    known = FIELDS[query.sobject]
    for field in (*query.fields, *(c.field for c in query.where), *(f for f, _ in query.order)):
        if field not in known:
            raise SoqlError(
                "INVALID_FIELD", f"No such column '{field}' on entity '{query.sobject}'."
            )
    selected = [r for r in table if include_deleted or not r["IsDeleted"]]
    for condition in query.where:
        _check_types(condition, table[0] if table else {})
        selected = [r for r in selected if _holds(condition, r.get(condition.field))]
    for field, descending in reversed(query.order):
        # Salesforce sorts nulls first in ascending order.
        selected.sort(key=_nulls_first(field), reverse=descending)
    return selected[: query.limit] if query.limit is not None else selected


def render(
    row: dict[str, Any], fields: tuple[str, ...], sobject: str, version: str
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "attributes": {
            "type": sobject,
            "url": f"/services/data/{version}/sobjects/{sobject}/{row['Id']}",
        }
    }
    for field in fields:
        out[field] = _format(row[field])
    return out


def _nulls_first(field: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    def key(row: dict[str, Any]) -> tuple[bool, Any]:
        return row[field] is not None, row[field]

    return key


def _format(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _check_types(condition: Condition, sample: dict[str, Any]) -> None:
    if isinstance(sample.get(condition.field), datetime) and condition.quoted:
        raise SoqlError(
            "MALFORMED_QUERY",
            f"value of filter criterion for field '{condition.field}' must be of type dateTime "
            "and should not be enclosed in quotes",
        )


def _holds(condition: Condition, value: Any) -> bool:
    wanted = condition.value
    if (
        isinstance(value, datetime)
        and isinstance(wanted, date)
        and not isinstance(wanted, datetime)
    ):
        value = value.date()
    if condition.op == "IN":
        return bool(value in wanted)
    if condition.op in ("=", "!="):
        return bool((value == wanted) == (condition.op == "="))
    if value is None or wanted is None:
        return False
    try:
        return bool(
            {
                "<": value < wanted,
                "<=": value <= wanted,
                ">": value > wanted,
                ">=": value >= wanted,
            }[condition.op]
        )
    except TypeError:
        raise SoqlError(
            "INVALID_QUERY_FILTER_OPERATOR", f"invalid operator on {condition.field}"
        ) from None


def _stamps(created: datetime, modified: datetime) -> dict[str, Any]:
    return {
        "CreatedDate": created,
        "LastModifiedDate": modified,
        "SystemModstamp": modified,
        "IsDeleted": False,
    }


def _accounts(d: Dataset, now: datetime) -> Iterator[dict[str, Any]]:
    for a in d.accounts:
        yield {
            "Id": sid("Account", a.key),
            "Name": a.name,
            "Website": f"https://{a.domain}",
            "Industry": a.industry,
            "OwnerId": sid("User", a.owner),
            "NumberOfEmployees": a.employees,
            **_stamps(a.created, a.created),
        }


def _contacts(d: Dataset, now: datetime) -> Iterator[dict[str, Any]]:
    for p in d.people:
        if p.account is None:
            continue
        account = d.accounts[p.account]
        created = account.created + timedelta(days=1 + p.key % 20)
        yield {
            "Id": sid("Contact", p.key),
            "AccountId": sid("Account", p.account),
            "FirstName": p.first,
            "LastName": p.last,
            "Name": p.name,
            "Email": p.email,
            "Title": p.title,
            "OwnerId": sid("User", account.owner),
            **_stamps(created, created),
        }


def _users(d: Dataset, now: datetime) -> Iterator[dict[str, Any]]:
    created = d.start - timedelta(days=400)
    for p in d.internal_people:
        yield {
            "Id": sid("User", p.key),
            "Name": p.name,
            "Email": p.email,
            "Title": p.title,
            "IsActive": True,
            "TimeZoneSidKey": p.timezone,
            "Department": p.team.title(),
            **_stamps(created, created),
        }


def _opportunities(d: Dataset, now: datetime) -> Iterator[dict[str, Any]]:
    for deal in d.deals:
        current = state_at(deal.stages, now)
        if current is None:
            continue
        stage = current.value
        yield {
            "Id": sid("Opportunity", deal.key),
            "Name": deal.name,
            "AccountId": sid("Account", deal.account),
            "OwnerId": sid("User", deal.owner),
            "StageName": STAGE_NAMES[stage],
            "Amount": float(deal.amount),
            "CloseDate": deal.close_date.date(),
            "IsClosed": stage.startswith("closed"),
            "IsWon": stage == "closed_won",
            "Probability": PROBABILITY.get(stage, 100 if stage == "closed_won" else 0),
            **_stamps(deal.created, current.at),
        }


def _history(d: Dataset, now: datetime) -> Iterator[dict[str, Any]]:
    for deal in d.deals:
        for index, change in enumerate(history_until(deal.stages, now)):
            yield {
                "Id": sid("OpportunityHistory", deal.key * 10 + index),
                "OpportunityId": sid("Opportunity", deal.key),
                "StageName": STAGE_NAMES[change.value],
                "Amount": float(deal.amount),
                "CloseDate": deal.close_date.date(),
                "CreatedById": sid("User", change.by),
                "Probability": PROBABILITY.get(change.value, 0),
                **_stamps(change.at, change.at),
            }


def _tasks(d: Dataset, now: datetime) -> Iterator[dict[str, Any]]:
    for email in d.emails:
        if email.deal is None or email.sent > now:
            continue
        deal = d.deals[email.deal]
        owner = email.sender if d.people[email.sender].internal else deal.owner
        yield {
            "Id": sid("Task", email.key),
            "WhoId": sid("Contact", deal.contacts[0]),
            "WhatId": sid("Opportunity", deal.key),
            "OwnerId": sid("User", owner),
            "ActivityDate": email.sent.date(),
            "Status": "Completed",
            "Type": "Email",
            "TaskSubtype": "Email",
            "Subject": email.subject,
            "Description": email.snippet,
            **_stamps(email.sent, email.sent),
        }


def _events(d: Dataset, now: datetime) -> Iterator[dict[str, Any]]:
    for meeting in d.meetings:
        if meeting.deal is None or meeting.created > now:
            continue
        deal = d.deals[meeting.deal]
        start, end, modified, deleted = _event_state(meeting, now)
        yield {
            "Id": sid("Event", meeting.key),
            "WhoId": sid("Contact", deal.contacts[0]),
            "WhatId": sid("Opportunity", deal.key),
            "OwnerId": sid("User", meeting.organizer),
            "StartDateTime": start,
            "EndDateTime": end,
            "ActivityDate": start.date(),
            "Type": "Meeting",
            "Subject": meeting.summary,
            "Description": meeting.description,
            **_stamps(meeting.created, modified),
            "IsDeleted": deleted,
        }


def _event_state(m: Meeting, now: datetime) -> tuple[datetime, datetime, datetime, bool]:
    if m.cancelled_at is not None and m.cancelled_at <= now:
        return m.start, m.end, m.cancelled_at, True
    if m.moved_at is not None and m.moved_at > now and m.original_start is not None:
        return m.original_start, m.original_start + (m.end - m.start), m.created, False
    return m.start, m.end, m.moved_at if m.moved_at and m.moved_at <= now else m.created, False
