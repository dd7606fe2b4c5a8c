"""Jira records into graph records: pure functions over the allow-listed structs.

An issue is its key ("ENG-42", refreshed every time: it changes when the issue moves project)
under its numeric id, with its project, type, status, priority, labels and dates; never its
summary, description or comments. Its history is its creation, the statuses it entered and
who it was handed to, from the changelog. People resolve across sources by their Atlassian
account id and, where they let apps see it, their email address.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import msgspec

from adapters.connectors.jira.records import History, Issue, Item, User
from domain.graph.model import (
    ActivityRecord,
    EntityAttribute,
    EntityRecord,
    GraphBatch,
    Identity,
    Link,
    RelationshipRecord,
    Removal,
    SourceRef,
)

PROVIDER = "jira"
CREATED = "Issue created"
ASSIGNED = "Issue assigned"
UNASSIGNED = "Issue unassigned"

Attributes = dict[str, str | int | float | bool | None]
Change = tuple[str, Attributes, tuple[Link, ...]]  # an activity's type, attributes, extra links


class Source(msgspec.Struct, frozen=True, kw_only=True):
    """What the normaliser knows of the connection: the scope its ids are unique within, and
    the site (``https://<name>.atlassian.net``): its identities' account, where issues live."""

    scope: str
    site: str

    def ref(self, kind: str, source_id: str) -> SourceRef:
        return SourceRef(provider=PROVIDER, scope=self.scope, source_id=f"{kind}:{source_id}")

    def browse(self, key: str) -> str:
        return f"{self.site}/browse/{key}"

    def people(self, account_id: str) -> str:
        return f"{self.site}/jira/people/{account_id}"

    def person(self, user: User) -> EntityRecord:
        """A user as an issue or a change shows them: their account, their email if visible."""
        identities = [self.user_identity(user.accountId)]
        if user.emailAddress:
            identities.append(Identity(kind="email", value=user.emailAddress.strip().lower()))
        active = () if user.active is None else (EntityAttribute(name="active", value=user.active),)
        return EntityRecord(
            ref=self.ref("user", user.accountId),
            type="person",
            attributes=active,
            identities=tuple(identities),
            url=self.people(user.accountId),
        )

    def mention(self, account_id: str) -> EntityRecord:
        """A user named only by account id (a changelog's new assignee)."""
        return EntityRecord(
            ref=self.ref("user", account_id),
            type="person",
            identities=(self.user_identity(account_id),),
            url=self.people(account_id),
            reference=True,
        )

    def user_identity(self, account_id: str) -> Identity:
        return Identity(kind="user", value=f"{PROVIDER}:{self.site}/{account_id}")


class _Batch:
    """Records of one page, each entity once (a person shows up on many issues)."""

    def __init__(self) -> None:
        self.entities: dict[SourceRef, EntityRecord] = {}
        self.relationships: list[RelationshipRecord] = []
        self.activities: list[ActivityRecord] = []

    def entity(self, record: EntityRecord) -> SourceRef:
        known = self.entities.get(record.ref)
        if known is None or (known.reference and not record.reference):
            self.entities[record.ref] = record
        return record.ref

    def done(self) -> GraphBatch:
        return GraphBatch(
            entities=tuple(self.entities.values()),
            relationships=tuple(self.relationships),
            activities=tuple(self.activities),
        )


def issues(source: Source, items: Iterable[tuple[Issue, Sequence[History]]]) -> GraphBatch:
    """Issues with their whole changelog each."""
    batch = _Batch()
    for issue, histories in items:
        ref = batch.entity(_issue(source, issue))
        for qualifier, user in (
            ("assignee", issue.fields.assignee),
            ("reporter", issue.fields.reporter),
        ):
            if user is not None:
                target = batch.entity(source.person(user))
                batch.relationships.append(
                    RelationshipRecord(source=ref, target=target, qualifier=qualifier)
                )
        if issue.fields.created is not None:
            batch.activities.append(_created(source, issue, issue.fields.created))
        for history in histories:
            _history(source, batch, issue, history)
    return batch.done()


def _issue(source: Source, issue: Issue) -> EntityRecord:
    f = issue.fields
    category = f.status.statusCategory if f.status else None
    values: Attributes = {
        "key": issue.key,
        "project_id": f.project.id if f.project else None,
        "project_key": f.project.key if f.project else None,
        "issue_type": f.issuetype.name if f.issuetype else None,
        "status": f.status.name if f.status else None,
        "status_category": category.key if category else None,
        "priority": f.priority.name if f.priority else None,
        "labels": ",".join(sorted(f.labels)) or None,
        "created_at": _iso(f.created),
        "updated_at": _iso(f.updated),
        "resolved_at": _iso(f.resolutiondate),
    }
    return EntityRecord(
        ref=source.ref("issue", issue.id),
        type="issue",
        name=issue.key,
        attributes=tuple(
            EntityAttribute(name=name, value=value)
            for name, value in values.items()
            if value is not None
        ),
        url=source.browse(issue.key),
    )


def _created(source: Source, issue: Issue, at: datetime) -> ActivityRecord:
    reporter = issue.fields.reporter
    attributes: Attributes = (
        {"issue_type": issue.fields.issuetype.name} if issue.fields.issuetype else {}
    )
    return ActivityRecord(
        ref=source.ref("created", issue.id),
        type=CREATED,
        occurred_at=at,
        actor=source.ref("user", reporter.accountId) if reporter else None,
        attributes=attributes,
        links=(Link(object=source.ref("issue", issue.id), qualifier="issue"),),
        url=source.browse(issue.key),
    )


def _history(source: Source, batch: _Batch, issue: Issue, history: History) -> None:
    """The status and assignee items of one change; every other item is left unread."""
    actor = batch.entity(source.person(history.author)) if history.author else None
    issue_ref = source.ref("issue", issue.id)
    for item in history.items:
        made = _change(source, batch, item)
        if made is None:
            continue
        kind, attributes, links = made
        batch.activities.append(
            ActivityRecord(
                ref=source.ref("history", f"{history.id}:{item.fieldId or item.field}"),
                type=kind,
                occurred_at=history.created,
                source_seq=int(history.id) if history.id.isdigit() else 0,
                actor=actor,
                attributes=attributes,
                links=(Link(object=issue_ref, qualifier="issue"), *links),
                url=source.browse(issue.key),
            )
        )


def _change(source: Source, batch: _Batch, item: Item) -> Change | None:
    if item.is_status:
        return _status(item)
    if item.is_assignee:
        return _assignee(source, batch, item)
    return None


def _status(item: Item) -> Change | None:
    left, entered = item.status_names()
    if entered is None:
        return None
    return entered, {"status": entered, "previous_status": left, "status_id": item.to}, ()


def _assignee(source: Source, batch: _Batch, item: Item) -> Change:
    if item.to is None:
        return UNASSIGNED, {}, ()
    assignee = batch.entity(source.mention(item.to))
    return ASSIGNED, {}, (Link(object=assignee, qualifier="assignee"),)


def vanished(source: Source, known: Iterable[str], listed: Iterable[str]) -> tuple[Removal, ...]:
    """Removals of the stored issues (source ids ``issue:<id>``) the site no longer lists: a
    deleted issue simply stops matching any search. Each takes its history along."""
    present = {source.ref("issue", issue_id).source_id for issue_id in listed}
    return tuple(
        Removal(ref=SourceRef(provider=PROVIDER, scope=source.scope, source_id=gone), kind="entity")
        for gone in sorted(set(known) - present)
        if gone.startswith("issue:")
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None
