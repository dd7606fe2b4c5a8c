"""Seeded issues and people in Jira Cloud's REST v3 shapes, as of a moment."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

from adapters.sandbox.providers.ids import atlassian_account
from adapters.sandbox.providers.jira.issues import IssueState
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Person

STATUSES = {
    "To Do": ("10000", "new", "To Do", "blue-gray"),
    "In Progress": ("3", "indeterminate", "In Progress", "yellow"),
    "In Review": ("10001", "indeterminate", "In Progress", "yellow"),
    "Done": ("10002", "done", "Done", "green"),
}
TYPES = {"Bug": "10004", "Task": "10002", "Story": "10001"}
PRIORITIES = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4"}


def jira_time(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}+0000"
    )


def email_visible(p: Person) -> bool:
    """Atlassian accounts choose who sees their email address (profile visibility); the API
    leaves ``emailAddress`` out for those who keep it to themselves: a quarter of them here."""
    return p.key % 4 != 3


def person(p: Person, *, own: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "accountId": atlassian_account(p.key),
        "displayName": p.name,
        "active": True,
        "timeZone": p.timezone,
        "accountType": "atlassian",
    }
    if own or email_visible(p):  # everyone sees their own address (``/myself``)
        out["emailAddress"] = p.email
    return out


def status(name: str) -> dict[str, Any]:
    # A status the workflow does not list (one the overlay made up) still renders like one.
    made_up = (str(20_000 + zlib.crc32(name.encode()) % 10_000), "indeterminate", "In Progress")
    status_id, key, category, color = STATUSES.get(name) or (*made_up, "yellow")
    return {
        "name": name,
        "id": status_id,
        "statusCategory": {"key": key, "name": category, "colorName": color},
    }


def fields(d: Dataset, state: IssueState) -> dict[str, Any]:
    issue = state.issue
    resolved = state.statuses[-1].at if state.status == "Done" else None
    return {
        "summary": state.summary,
        "description": {
            "type": "doc",
            "version": 1,
            "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": issue.description}]}
            ],
        },
        "status": status(state.status),
        "issuetype": {"id": TYPES[issue.kind], "name": issue.kind, "subtask": False},
        "priority": {"id": PRIORITIES[issue.priority], "name": issue.priority},
        "assignee": person(d.people[state.assignee]),
        "reporter": person(d.people[issue.reporter]),
        "project": {"id": "10000", "key": issue.project, "name": "Engineering"},
        "labels": list(issue.labels),
        "created": jira_time(issue.created),
        "updated": jira_time(state.updated),
        "resolutiondate": jira_time(resolved) if resolved else None,
    }


def history_id(issue_key: int, at: datetime) -> int:
    """Site-wide, growing with time like Jira's own: one history per issue and second."""
    return int(at.timestamp()) * 1000 + issue_key % 1000


def changelog(d: Dataset, state: IssueState) -> list[dict[str, Any]]:
    """Every change so far, oldest first; the items changed at one moment share a history."""
    moments: dict[datetime, tuple[int, list[dict[str, Any]]]] = {}

    def add(at: datetime, by: int, item: dict[str, Any]) -> None:
        moments.setdefault(at.replace(microsecond=0), (by, []))[1].append(item)

    for before, after in pairwise(state.statuses):
        add(after.at, after.by, _status_item(before.value, after.value))
    holder = state.issue.assignee
    for handed in state.assignments:
        add(handed.at, handed.by, _assignee_item(d.people[holder], d.people[handed.to]))
        holder = handed.to
    for edit in state.edits:
        add(edit.at, edit.by, _text_item(edit.field, edit.before, state.issue.summary))
    return [
        {
            "id": str(history_id(state.issue.key, at)),
            "author": person(d.people[by]),
            "created": jira_time(at),
            "items": items,
        }
        for at, (by, items) in sorted(moments.items())
    ]


def _status_item(before: str, after: str) -> dict[str, Any]:
    return {
        "field": "status",
        "fieldtype": "jira",
        "fieldId": "status",
        "from": status(before)["id"],
        "fromString": before,
        "to": status(after)["id"],
        "toString": after,
    }


def _assignee_item(before: Person, after: Person) -> dict[str, Any]:
    old, new = atlassian_account(before.key), atlassian_account(after.key)
    return {
        "field": "assignee",
        "fieldtype": "jira",
        "fieldId": "assignee",
        "from": old,
        "fromString": before.name,
        "to": new,
        "toString": after.name,
        "tmpFromAccountId": old,
        "tmpToAccountId": new,
    }


def _text_item(field: str, before: str, after: str) -> dict[str, Any]:
    # Text fields carry their old and new values in the changelog: content, like the field.
    return {
        "field": field,
        "fieldtype": "jira",
        "fieldId": field,
        "from": None,
        "fromString": before,
        "to": None,
        "toString": after,
    }
