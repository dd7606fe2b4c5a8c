"""Zendesk records into graph records: pure functions over the allow-listed structs.

A ticket is "Ticket #1234" with its status, priority, channel, type, group and tags (labels);
never its subject, description or comments. Its history is the status and assignee changes of
the ticket event export; people and organisations resolve across sources by email, domain and
Zendesk ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import msgspec

from adapters.connectors.zendesk.records import (
    ChildEvent,
    Organization,
    Ticket,
    TicketEvent,
    User,
)
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

PROVIDER = "zendesk"
CREATED = "Ticket created"
ASSIGNED = "Ticket assigned"


class Source(msgspec.Struct, frozen=True, kw_only=True):
    """What the normaliser knows of the connection: the scope its ids are unique within, the
    account they belong to (for identities across connections), where originals live."""

    scope: str
    account: str
    web_base: str  # https://<subdomain>.zendesk.com (the sandbox's address in development)

    def ref(self, kind: str, source_id: int) -> SourceRef:
        return SourceRef(provider=PROVIDER, scope=self.scope, source_id=f"{kind}:{source_id}")

    def person(self, user_id: int) -> EntityRecord:
        """A mention of a Zendesk user (the user listing brings the record itself)."""
        return EntityRecord(
            ref=self.ref("user", user_id),
            type="person",
            identities=(self.user_identity(user_id),),
            url=f"{self.web_base}/agent/users/{user_id}",
            reference=True,
        )

    def user_identity(self, user_id: int) -> Identity:
        return Identity(kind="user", value=f"{PROVIDER}:{self.account}/{user_id}")

    def company(self, organization_id: int) -> EntityRecord:
        return EntityRecord(
            ref=self.ref("organization", organization_id),
            type="company",
            identities=(self.organization_identity(organization_id),),
            url=f"{self.web_base}/agent/organizations/{organization_id}",
            reference=True,
        )

    def organization_identity(self, organization_id: int) -> Identity:
        return Identity(kind="account", value=f"{PROVIDER}:{self.account}/{organization_id}")


def status_activity(status: str) -> str:
    """The activity a ticket entering ``status`` is: its name as agents see it."""
    return f"Ticket {status.strip().lower() or 'unknown'}"


def tickets(source: Source, items: Iterable[Ticket]) -> tuple[GraphBatch, tuple[Removal, ...]]:
    entities: list[EntityRecord] = []
    relationships: list[RelationshipRecord] = []
    removals: list[Removal] = []
    for ticket in items:
        ref = source.ref("ticket", ticket.id)
        if ticket.status == "deleted":
            removals.append(Removal(ref=ref, kind="entity"))
            continue
        entities.append(_ticket(source, ticket))
        for qualifier, user_id in (
            ("requester", ticket.requester_id),
            ("assignee", ticket.assignee_id),
        ):
            if user_id is not None:
                entities.append(source.person(user_id))
                relationships.append(
                    RelationshipRecord(
                        source=ref, target=source.ref("user", user_id), qualifier=qualifier
                    )
                )
        if ticket.organization_id is not None:
            entities.append(source.company(ticket.organization_id))
            target = source.ref("organization", ticket.organization_id)
            relationships.append(
                RelationshipRecord(source=ref, target=target, qualifier="organization")
            )
    batch = GraphBatch(entities=tuple(entities), relationships=tuple(relationships))
    return batch, tuple(removals)


def _ticket(source: Source, ticket: Ticket) -> EntityRecord:
    values: dict[str, str | int | None] = {
        "status": ticket.status,
        "priority": ticket.priority,
        "ticket_type": ticket.type,
        "channel": ticket.via.channel if ticket.via else None,
        "group_id": ticket.group_id,
        "tags": ",".join(sorted(ticket.tags)) or None,
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
    }
    return EntityRecord(
        ref=source.ref("ticket", ticket.id),
        type="ticket",
        name=f"Ticket #{ticket.id}",
        attributes=tuple(
            EntityAttribute(name=name, value=value)
            for name, value in values.items()
            if value is not None
        ),
        url=f"{source.web_base}/agent/tickets/{ticket.id}",
    )


def events(source: Source, items: Iterable[TicketEvent]) -> GraphBatch:
    """Status and assignee changes (and creation) as activities of their tickets."""
    entities: dict[SourceRef, EntityRecord] = {}
    activities: list[ActivityRecord] = []
    for event in items:
        ticket = source.ref("ticket", event.ticket_id)
        entities.setdefault(ticket, _ticket_mention(source, event.ticket_id))
        actor = None
        if event.updater_id is not None and event.updater_id > 0:
            actor = source.ref("user", event.updater_id)
            entities.setdefault(actor, source.person(event.updater_id))
        at = datetime.fromtimestamp(event.timestamp, UTC)
        for child in event.child_events:
            change = _change(child)
            if change is None:
                continue
            kind, attributes = change
            links = [Link(object=ticket, qualifier="ticket")]
            assignee = _assignee(child)
            if assignee is not None:
                assignee_ref = source.ref("user", assignee)
                entities.setdefault(assignee_ref, source.person(assignee))
                links.append(Link(object=assignee_ref, qualifier="assignee"))
            activities.append(
                ActivityRecord(
                    ref=SourceRef(
                        provider=PROVIDER,
                        scope=source.scope,
                        source_id=f"event:{event.id}:{child.id}",
                    ),
                    type=kind,
                    occurred_at=at,
                    source_seq=child.id,
                    actor=actor,
                    attributes=attributes,
                    links=tuple(links),
                    url=f"{source.web_base}/agent/tickets/{event.ticket_id}",
                )
            )
    return GraphBatch(entities=tuple(entities.values()), activities=tuple(activities))


def _ticket_mention(source: Source, ticket_id: int) -> EntityRecord:
    return EntityRecord(
        ref=source.ref("ticket", ticket_id),
        type="ticket",
        name=f"Ticket #{ticket_id}",
        url=f"{source.web_base}/agent/tickets/{ticket_id}",
        reference=True,
    )


Attributes = dict[str, str | int | float | bool | None]


def _change(child: ChildEvent) -> tuple[str, Attributes] | None:
    field = child.changed_field()
    if field == "status" and child.status:
        if child.event_type == "Create":
            return CREATED, {"status": child.status}
        previous = child.previous_value if isinstance(child.previous_value, str) else None
        return status_activity(child.status), {"status": child.status, "previous_status": previous}
    if field == "assignee_id" and child.event_type == "Change":
        return ASSIGNED, {}
    return None


def _assignee(child: ChildEvent) -> int | None:
    if child.changed_field() != "assignee_id":
        return None
    value = child.assignee_id if child.assignee_id is not None else child.value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def users(source: Source, items: Iterable[User]) -> GraphBatch:
    entities: list[EntityRecord] = []
    relationships: list[RelationshipRecord] = []
    for user in items:
        identities = [source.user_identity(user.id)]
        if user.email:
            identities.append(Identity(kind="email", value=user.email))
        attributes = tuple(
            EntityAttribute(name=name, value=value)
            for name, value in (("role", user.role), ("active", user.active))
            if value is not None
        )
        entities.append(
            EntityRecord(
                ref=source.ref("user", user.id),
                type="person",
                name=user.name,
                attributes=attributes,
                identities=tuple(identities),
                url=f"{source.web_base}/agent/users/{user.id}",
            )
        )
        if user.organization_id is not None:
            entities.append(source.company(user.organization_id))
            relationships.append(
                RelationshipRecord(
                    source=source.ref("user", user.id),
                    target=source.ref("organization", user.organization_id),
                    qualifier="member_of",
                )
            )
    return GraphBatch(entities=tuple(entities), relationships=tuple(relationships))


def organizations(source: Source, items: Iterable[Organization]) -> GraphBatch:
    entities = [
        EntityRecord(
            ref=source.ref("organization", org.id),
            type="company",
            name=org.name,
            identities=(
                source.organization_identity(org.id),
                *(Identity(kind="domain", value=d) for d in org.domain_names),
            ),
            url=f"{source.web_base}/agent/organizations/{org.id}",
        )
        for org in items
    ]
    return GraphBatch(entities=tuple(entities))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
