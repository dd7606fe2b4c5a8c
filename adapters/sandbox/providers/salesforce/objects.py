"""The seeded company as Salesforce sObject rows as of a moment, with the overlay's changes.

``sandbox.mutations`` is rendered as Salesforce would show it. A deleted record stays as a row
with ``IsDeleted`` and its ``SystemModstamp`` at the deletion (``queryAll`` and getDeleted see
it, ``query`` does not), and deletions cascade as Salesforce cascades them: an account takes
its contacts and opportunities, an opportunity its stage history, an opportunity or a contact
the tasks and events about it. Users are never deleted in Salesforce: a deleted employee is
deactivated. An appended deal stage is a new
OpportunityHistory row and moves the Opportunity; an appended change of an email is its Task's
new ``Status``; a touch moves ``SystemModstamp``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from adapters.sandbox.mutations import Mutations, RecordKind
from adapters.sandbox.providers.ids import salesforce_id as sid
from adapters.sandbox.providers.salesforce.soql import SoqlError
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Meeting, state_at

STAGE_NAMES = {
    "prospecting": "Prospecting",
    "qualification": "Qualification",
    "proposal": "Proposal/Price Quote",
    "negotiation": "Negotiation/Review",
    "closed_won": "Closed Won",
    "closed_lost": "Closed Lost",
}
PROBABILITY = {"prospecting": 10, "qualification": 20, "proposal": 50, "negotiation": 80}
# OpportunityHistory ids: seeded stages are deal * 10 + index; appended ones live apart, so a
# deal's history can grow without its ids running into the next deal's.
APPENDED_HISTORY = 10_000_000

Row = dict[str, Any]
Owner = tuple[RecordKind, int | None]


@dataclass(frozen=True)
class _View:
    """The company at ``now``: the seeded dataset seen through the overlay."""

    d: Dataset
    m: Mutations
    now: datetime

    def gone(self, *owners: Owner) -> datetime | None:
        """When the record went: its own deletion or that of a record it cascades from."""
        moments = [
            when
            for kind, key in owners
            if key is not None and (when := self.m.deleted_at(kind, key, self.now)) is not None
        ]
        return min(moments, default=None)

    def stamps(
        self, owner: Owner, created: datetime, seeded: datetime, deleted: datetime | None
    ) -> Row:
        kind, key = owner
        modified = seeded if key is None else self.m.modified_at(kind, key, seeded, self.now)
        if deleted is not None:
            modified = max(modified, deleted)
        return {
            "CreatedDate": created,
            "LastModifiedDate": modified,
            "SystemModstamp": modified,
            "IsDeleted": deleted is not None,
        }


def rows(
    dataset: Dataset, sobject: str, now: datetime, mutations: Mutations | None = None
) -> list[Row]:
    """Every row of ``sobject`` created by ``now``, deleted ones included (``IsDeleted``)."""
    if sobject not in _BUILDERS:
        raise SoqlError("INVALID_TYPE", f"sObject type '{sobject}' is not supported.")
    view = _View(dataset, mutations or Mutations(), now)
    return [row for row in _BUILDERS[sobject](view) if row["CreatedDate"] <= now]


def stage_name(value: str) -> str:
    """A seeded stage key as its Salesforce picklist label (an appended label stays as given)."""
    return STAGE_NAMES.get(value, value)


def _accounts(v: _View) -> Iterator[Row]:
    for a in v.d.accounts:
        yield {
            "Id": sid("Account", a.key),
            "Name": a.name,
            "Website": f"https://{a.domain}",
            "Industry": a.industry,
            "OwnerId": sid("User", a.owner),
            "NumberOfEmployees": a.employees,
            **v.stamps(("account", a.key), a.created, a.created, v.gone(("account", a.key))),
        }


def _contacts(v: _View) -> Iterator[Row]:
    for p in v.d.people:
        if p.account is None:
            continue
        account = v.d.accounts[p.account]
        created = account.created + timedelta(days=1 + p.key % 20)
        gone = v.gone(("person", p.key), ("account", p.account))
        yield {
            "Id": sid("Contact", p.key),
            "AccountId": sid("Account", p.account),
            "FirstName": p.first,
            "LastName": p.last,
            "Name": p.name,
            "Email": p.email,
            "Title": p.title,
            "OwnerId": sid("User", account.owner),
            **v.stamps(("person", p.key), created, created, gone),
        }


def _users(v: _View) -> Iterator[Row]:
    created = v.d.start - timedelta(days=400)
    for p in v.d.internal_people:
        yield {
            "Id": sid("User", p.key),
            "Name": p.name,
            "Email": p.email,
            "Title": p.title,
            # Salesforce never deletes a user: a deleted employee is deactivated.
            "IsActive": v.m.deleted_at("person", p.key, v.now) is None,
            "TimeZoneSidKey": p.timezone,
            "Department": p.team.title(),
            **v.stamps(("person", p.key), created, created, None),
        }


def _opportunities(v: _View) -> Iterator[Row]:
    for deal in v.d.deals:
        current = state_at(v.m.history("deal", deal.key, deal.stages), v.now)
        if current is None:
            continue
        seeded = state_at(deal.stages, v.now)
        stage = stage_name(current.value)
        gone = v.gone(("deal", deal.key), ("account", deal.account))
        yield {
            "Id": sid("Opportunity", deal.key),
            "Name": deal.name,
            "AccountId": sid("Account", deal.account),
            "OwnerId": sid("User", deal.owner),
            "StageName": stage,
            "Amount": float(deal.amount),
            "CloseDate": deal.close_date.date(),
            "IsClosed": stage.startswith("Closed"),
            "IsWon": stage == "Closed Won",
            "Probability": PROBABILITY.get(current.value, 100 if stage == "Closed Won" else 0),
            "Description": deal.description,
            **v.stamps(
                ("deal", deal.key), deal.created, seeded.at if seeded else deal.created, gone
            ),
        }


def _history(v: _View) -> Iterator[Row]:
    for deal in v.d.deals:
        gone = v.gone(("deal", deal.key), ("account", deal.account))
        seeded = [(deal.key * 10 + i, c) for i, c in enumerate(deal.stages)]
        appended = v.m.history("deal", deal.key, ())
        extra = [(APPENDED_HISTORY + deal.key * 1000 + n, c) for n, c in enumerate(appended)]
        for key, change in (*seeded, *extra):
            if change.at > v.now or (gone is not None and change.at > gone):
                continue  # not yet, or after the opportunity was gone
            yield {
                "Id": sid("OpportunityHistory", key),
                "OpportunityId": sid("Opportunity", deal.key),
                "StageName": stage_name(change.value),
                "Amount": float(deal.amount),
                "CloseDate": deal.close_date.date(),
                "CreatedById": sid("User", change.by),
                "Probability": PROBABILITY.get(change.value, 0),
                **v.stamps(("deal", None), change.at, change.at, gone),
            }


def _tasks(v: _View) -> Iterator[Row]:
    for email in v.d.emails:
        if email.deal is None or email.sent > v.now:
            continue
        deal = v.d.deals[email.deal]
        owner = email.sender if v.d.people[email.sender].internal else deal.owner
        status = state_at(v.m.history("email", email.key, ()), v.now)
        who = deal.contacts[0]
        gone = v.gone(
            ("email", email.key), ("deal", deal.key), ("person", who), ("account", deal.account)
        )
        yield {
            "Id": sid("Task", email.key),
            "WhoId": sid("Contact", who),
            "WhatId": sid("Opportunity", deal.key),
            "OwnerId": sid("User", owner),
            "ActivityDate": email.sent.date(),
            "Status": status.value if status else "Completed",
            "Type": "Email",
            "TaskSubtype": "Email",
            "Subject": email.subject,
            "Description": email.snippet,
            **v.stamps(("email", email.key), email.sent, email.sent, gone),
        }


def _events(v: _View) -> Iterator[Row]:
    for meeting in v.d.meetings:
        if meeting.deal is None or meeting.created > v.now:
            continue
        deal = v.d.deals[meeting.deal]
        start, end, modified = _event_state(meeting, v.now)
        cancelled = meeting.cancelled_at if _cancelled(meeting, v.now) else None
        who = deal.contacts[0]
        gone = v.gone(
            ("meeting", meeting.key), ("deal", deal.key), ("person", who), ("account", deal.account)
        )
        deleted = min((m for m in (gone, cancelled) if m is not None), default=None)
        yield {
            "Id": sid("Event", meeting.key),
            "WhoId": sid("Contact", who),
            "WhatId": sid("Opportunity", deal.key),
            "OwnerId": sid("User", meeting.organizer),
            "StartDateTime": start,
            "EndDateTime": end,
            "ActivityDate": start.date(),
            "Type": "Meeting",
            "Subject": meeting.summary,
            "Description": meeting.description,
            **v.stamps(("meeting", meeting.key), meeting.created, modified, deleted),
        }


def _cancelled(m: Meeting, now: datetime) -> bool:
    return m.cancelled_at is not None and m.cancelled_at <= now


def _event_state(m: Meeting, now: datetime) -> tuple[datetime, datetime, datetime]:
    if _cancelled(m, now):
        return m.start, m.end, m.cancelled_at or m.created
    if m.moved_at is not None and m.moved_at > now and m.original_start is not None:
        return m.original_start, m.original_start + (m.end - m.start), m.created
    return m.start, m.end, m.moved_at if m.moved_at and m.moved_at <= now else m.created


_BUILDERS: dict[str, Callable[[_View], Iterator[Row]]] = {
    "Account": _accounts,
    "Contact": _contacts,
    "User": _users,
    "Opportunity": _opportunities,
    "OpportunityHistory": _history,
    "Task": _tasks,
    "Event": _events,
}
SOBJECTS = frozenset(_BUILDERS)
