"""Seeded issues and people in Jira Cloud's REST v3 shapes, as of a moment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.sandbox.providers.ids import atlassian_account
from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Issue, Person, history_until, state_at

ISSUE_BASE = 10_000
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


def person(p: Person) -> dict[str, Any]:
    return {
        "accountId": atlassian_account(p.key),
        "emailAddress": p.email,
        "displayName": p.name,
        "active": True,
        "timeZone": p.timezone,
        "accountType": "atlassian",
    }


def status(name: str) -> dict[str, Any]:
    status_id, key, category, color = STATUSES[name]
    return {
        "name": name,
        "id": status_id,
        "statusCategory": {"key": key, "name": category, "colorName": color},
    }


def updated(issue: Issue, now: datetime) -> datetime:
    current = state_at(issue.statuses, now)
    return current.at if current is not None else issue.created


def fields(d: Dataset, issue: Issue, now: datetime) -> dict[str, Any]:
    current = state_at(issue.statuses, now)
    name = current.value if current else "To Do"
    done = next((c.at for c in history_until(issue.statuses, now) if c.value == "Done"), None)
    return {
        "summary": issue.summary,
        "description": {
            "type": "doc",
            "version": 1,
            "content": [
                {"type": "paragraph", "content": [{"type": "text", "text": issue.description}]}
            ],
        },
        "status": status(name),
        "issuetype": {"id": TYPES[issue.kind], "name": issue.kind, "subtask": False},
        "priority": {"id": PRIORITIES[issue.priority], "name": issue.priority},
        "assignee": person(d.people[issue.assignee]),
        "reporter": person(d.people[issue.reporter]),
        "project": {"id": "10000", "key": issue.project, "name": "Engineering"},
        "labels": list(issue.labels),
        "created": jira_time(issue.created),
        "updated": jira_time(updated(issue, now)),
        "resolutiondate": jira_time(done) if done else None,
    }


def changelog(d: Dataset, issue: Issue, now: datetime) -> list[dict[str, Any]]:
    changes = history_until(issue.statuses, now)
    out = []
    for index in range(1, len(changes)):
        before, after = changes[index - 1], changes[index]
        out.append(
            {
                "id": str(issue.key * 100 + index),
                "author": person(d.people[after.by]),
                "created": jira_time(after.at),
                "items": [
                    {
                        "field": "status",
                        "fieldtype": "jira",
                        "fieldId": "status",
                        "from": STATUSES[before.value][0],
                        "fromString": before.value,
                        "to": STATUSES[after.value][0],
                        "toString": after.value,
                    }
                ],
            }
        )
    return out
