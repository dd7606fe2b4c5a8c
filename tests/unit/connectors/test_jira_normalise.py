"""Jira's records through the allow-list and the normaliser: what is kept, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from adapters.connectors.jira import normalise
from adapters.connectors.jira.records import (
    Fields,
    History,
    Issue,
    Item,
    Named,
    Project,
    Status,
    User,
)
from domain.graph.model import Identity

SOURCE = normalise.Source(scope="conn-1", site="https://acme.atlassian.net")
CANARY = "ATLAS-CANARY-unit"
ALICE = {"accountId": "712020:alice", "emailAddress": "Alice@Acme.example", "active": True}
BOB = {"accountId": "712020:bob", "displayName": f"Bob {CANARY}-name", "active": True}


def _issue(key: str = "ENG-42", **fields: Any) -> dict[str, Any]:
    return {
        "id": "10042",
        "key": key,
        "fields": {
            "summary": f"Checkout fails {CANARY}-summary",
            "description": {"type": "doc", "content": [{"type": "text", "text": CANARY}]},
            "comment": {"comments": [{"body": f"{CANARY}-comment"}]},
            "environment": f"{CANARY}-environment",
            "project": {"id": "10000", "key": "ENG", "name": f"{CANARY}-project"},
            "issuetype": {"id": "10004", "name": "Bug"},
            "status": {
                "id": "3",
                "name": "In Progress",
                "statusCategory": {"key": "indeterminate"},
            },
            "priority": {"id": "2", "name": "High"},
            "assignee": ALICE,
            "reporter": BOB,
            "labels": ["customer", "api"],
            "created": "2026-01-05T09:00:00.000+0000",
            "updated": "2026-01-07T10:30:00.000+0000",
            "resolutiondate": None,
            **fields,
        },
    }


def _history(*items: dict[str, Any], author: dict[str, Any] | None = ALICE) -> dict[str, Any]:
    return {
        "id": "5001",
        "created": "2026-01-06T14:00:00.000+0000",
        **({"author": author} if author else {}),
        "items": list(items),
    }


STATUS = {"field": "status", "fieldId": "status", "from": "10000", "fromString": "To Do"}
RETITLE = {
    "field": "summary",
    "fieldId": "summary",
    "from": None,
    "fromString": f"Draft {CANARY}-old",
    "to": None,
    "toString": f"Checkout fails {CANARY}-new",
}


def _decoded(raw: dict[str, Any], kind: type[Any]) -> Any:
    return msgspec.json.decode(msgspec.json.encode(raw), type=kind)


def _normalised(issue: dict[str, Any], *histories: dict[str, Any]) -> Any:
    return normalise.issues(
        SOURCE, [(_decoded(issue, Issue), [_decoded(h, History) for h in histories])]
    )


def test_the_allow_list_declares_no_content_field() -> None:
    structs = (Issue, Fields, User, Project, Named, Status, History)
    kept = {f.encode_name for kind in structs for f in msgspec.structs.fields(kind)}
    texts = {f.encode_name: f.type for f in msgspec.structs.fields(Item)}

    content = {"summary", "description", "comment", "attachment", "environment"}
    assert not kept & (content | {"displayName"})
    assert texts["fromString"] is texts["toString"] is msgspec.Raw  # read for statuses only
    assert _decoded(RETITLE, Item).status_names() == (None, None)


def test_an_issue_keeps_its_metadata_and_never_its_content() -> None:
    sut = _normalised(_issue(), _history({**STATUS, "to": "3", "toString": "In Progress"}, RETITLE))

    encoded = msgspec.json.encode(sut).decode()
    issue = next(e for e in sut.entities if e.type == "issue")
    values = {a.name: a.value for a in issue.attributes}
    assert CANARY not in encoded
    assert issue.name == "ENG-42"
    assert issue.url == "https://acme.atlassian.net/browse/ENG-42"
    assert values == {
        "key": "ENG-42",
        "project_id": "10000",
        "project_key": "ENG",
        "issue_type": "Bug",
        "status": "In Progress",
        "status_category": "indeterminate",
        "priority": "High",
        "labels": "api,customer",
        "created_at": "2026-01-05T09:00:00+00:00",
        "updated_at": "2026-01-07T10:30:00+00:00",
    }


def test_an_issue_is_its_id_and_a_moved_issue_keeps_it_under_its_new_key() -> None:
    before = _normalised(_issue("ENG-42"))
    after = _normalised(_issue("OPS-7"))

    old = next(e for e in before.entities if e.type == "issue")
    new = next(e for e in after.entities if e.type == "issue")
    assert old.ref == new.ref
    assert old.ref.source_id == "issue:10042"
    assert (new.name, new.url) == ("OPS-7", "https://acme.atlassian.net/browse/OPS-7")


def test_a_status_transition_is_the_status_entered_by_its_author_at_its_time() -> None:
    sut = _normalised(_issue(), _history({**STATUS, "to": "3", "toString": "In Progress"}))

    transition = next(a for a in sut.activities if a.ref.source_id.endswith(":status"))
    assert transition.type == "In Progress"
    assert transition.occurred_at == datetime(2026, 1, 6, 14, 0, tzinfo=UTC)
    assert transition.actor == SOURCE.ref("user", "712020:alice")
    assert transition.source_seq == 5001
    assert transition.attributes == {
        "status": "In Progress",
        "previous_status": "To Do",
        "status_id": "3",
    }
    assert [link.qualifier for link in transition.links] == ["issue"]


def test_handovers_link_the_new_assignee_and_other_edits_are_left_unread() -> None:
    handed = {"field": "assignee", "fieldId": "assignee", "from": "712020:alice"}
    sut = _normalised(
        _issue(),
        _history({**handed, "to": "712020:bob", "toString": f"Bob {CANARY}"}, RETITLE),
        {**_history({**handed, "to": None}, author=None), "id": "5002"},
    )

    changes = sorted((a.type, a.actor is None, len(a.links)) for a in sut.activities)
    assert changes == [
        ("Issue assigned", False, 2),
        ("Issue created", False, 1),
        ("Issue unassigned", True, 1),
    ]
    assigned = next(a for a in sut.activities if a.type == "Issue assigned")
    assert assigned.links[1].object == SOURCE.ref("user", "712020:bob")


def test_people_are_their_account_and_their_email_only_where_visible() -> None:
    sut = _normalised(_issue())

    people = {e.ref.source_id: e for e in sut.entities if e.type == "person"}
    alice, bob = people["user:712020:alice"], people["user:712020:bob"]
    assert set(alice.identities) == {
        Identity(kind="user", value="jira:https://acme.atlassian.net/712020:alice"),
        Identity(kind="email", value="alice@acme.example"),
    }
    assert [i.kind for i in bob.identities] == ["user"]
    assert alice.name is None  # a display name is not on the allow-list
    qualifiers = sorted(r.qualifier for r in sut.relationships)
    assert qualifiers == ["assignee", "reporter"]


def test_stored_issues_the_site_no_longer_lists_are_removed_with_their_history() -> None:
    sut = normalise.vanished(SOURCE, {"issue:1", "issue:2", "issue:3"}, {"1", "3", "4"})

    assert [(r.ref.source_id, r.kind, r.with_history) for r in sut] == [("issue:2", "entity", True)]
