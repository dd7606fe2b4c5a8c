"""Salesforce records into graph entities: pure functions over the allow-listed structs.

Users and contacts are people (resolved across sources by email and by their Salesforce id),
accounts are companies (by domain and id), opportunities are deals with their stage, amount
and close date. Every record links back to its original (``{instance_url}/{Id}``); an owner or
account a record names is a mention until its own record arrives. Stage changes, tasks and
events are activities (``activities``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Literal
from urllib.parse import urlsplit

import msgspec

from adapters.connectors.salesforce.records import Account, Contact, Opportunity, User
from domain.graph.content import AttributeValue
from domain.graph.model import (
    EntityAttribute,
    EntityRecord,
    GraphBatch,
    Identity,
    RelationshipRecord,
    Removal,
    SourceRef,
)

PROVIDER = "salesforce"
# An id's first three characters name its sObject type (Salesforce's key prefixes).
KINDS = {"005": "user", "003": "contact", "001": "account", "006": "opportunity"}
ENTITY_TYPES = {"user": "person", "contact": "person", "account": "company", "opportunity": "deal"}


class Source(msgspec.Struct, frozen=True, kw_only=True):
    """What the normaliser knows of the connection: the scope its ids are unique within, the
    org they belong to (for identities across connections), where originals live."""

    scope: str
    org: str
    instance_url: str

    def ref(self, kind: str, record_id: str) -> SourceRef:
        return SourceRef(provider=PROVIDER, scope=self.scope, source_id=f"{kind}:{record_id}")

    def url(self, record_id: str) -> str:
        return f"{self.instance_url}/{record_id}"

    def identity(self, kind: str, record_id: str) -> Identity:
        """People are ``user`` identities, companies ``account`` ones: ``salesforce:<org>/<id>``."""
        value = f"{PROVIDER}:{self.org}/{record_id}"
        return Identity(kind="account" if kind == "account" else "user", value=value)

    def mention(self, record_id: str | None) -> EntityRecord | None:
        """The record an id names, as a mention; None for kinds Atlas does not sync (queues,
        leads, cases...)."""
        kind = KINDS.get((record_id or "")[:3])
        if record_id is None or kind is None:
            return None
        # Deals do not resolve across sources: only people and companies carry identities.
        identities = (self.identity(kind, record_id),) if kind != "opportunity" else ()
        return EntityRecord(
            ref=self.ref(kind, record_id),
            type=ENTITY_TYPES[kind],
            identities=identities,
            url=self.url(record_id),
            reference=True,
        )


class Parts:
    """A batch being put together: records, the mentions they need, their relationships."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.entities: list[EntityRecord] = []
        self.relationships: list[RelationshipRecord] = []
        self._mentioned: set[SourceRef] = set()  # a thousand tasks name a few owners

    def mention(self, record_id: str | None) -> SourceRef | None:
        """The ref of the record ``record_id`` names, its mention added; None when Atlas does
        not sync its kind."""
        mention = self.source.mention(record_id)
        if mention is None:
            return None
        if mention.ref not in self._mentioned:
            self._mentioned.add(mention.ref)
            self.entities.append(mention)
        return mention.ref

    def user(self, record_id: str | None) -> SourceRef | None:
        """An owner or author: a user's ref (a queue or anything else is no actor)."""
        return self.mention(record_id) if KINDS.get((record_id or "")[:3]) == "user" else None

    def relate(self, origin: SourceRef, target_id: str | None, qualifier: str) -> None:
        target = self.mention(target_id)
        if target is not None:
            self.relationships.append(
                RelationshipRecord(source=origin, target=target, qualifier=qualifier)
            )

    def batch(self) -> GraphBatch:
        return GraphBatch(entities=tuple(self.entities), relationships=tuple(self.relationships))


def users(source: Source, items: Iterable[User]) -> GraphBatch:
    entities = [
        EntityRecord(
            ref=source.ref("user", user.id),
            type="person",
            name=user.name,
            attributes=entity_attributes(active=user.is_active, modified_at=user.system_modstamp),
            identities=_person_identities(source, "user", user.id, user.email),
            url=source.url(user.id),
        )
        for user in items
    ]
    return GraphBatch(entities=tuple(entities))


def accounts(source: Source, items: Iterable[Account]) -> GraphBatch:
    parts = Parts(source)
    for account in items:
        ref, domain = source.ref("account", account.id), website_domain(account.website)
        identities = [source.identity("account", account.id)]
        if domain:
            identities.append(Identity(kind="domain", value=domain))
        parts.entities.append(
            EntityRecord(
                ref=ref,
                type="company",
                name=account.name,
                attributes=entity_attributes(
                    created_at=account.created_date, modified_at=account.system_modstamp
                ),
                identities=tuple(identities),
                url=source.url(account.id),
            )
        )
        parts.relate(ref, account.owner_id, "owner")
    return parts.batch()


def contacts(source: Source, items: Iterable[Contact]) -> GraphBatch:
    parts = Parts(source)
    for contact in items:
        ref = source.ref("contact", contact.id)
        parts.entities.append(
            EntityRecord(
                ref=ref,
                type="person",
                name=contact.name,
                attributes=entity_attributes(
                    created_at=contact.created_date, modified_at=contact.system_modstamp
                ),
                identities=_person_identities(source, "contact", contact.id, contact.email),
                url=source.url(contact.id),
            )
        )
        parts.relate(ref, contact.account_id, "member_of")
    return parts.batch()


def opportunities(source: Source, items: Iterable[Opportunity]) -> GraphBatch:
    parts = Parts(source)
    for deal in items:
        ref = source.ref("opportunity", deal.id)
        parts.entities.append(
            EntityRecord(
                ref=ref,
                type="deal",
                name=deal.name,
                attributes=entity_attributes(
                    stage=deal.stage_name,
                    amount=deal.amount,
                    close_date=deal.close_date,
                    closed=deal.is_closed,
                    won=deal.is_won,
                    created_at=deal.created_date,
                    modified_at=deal.system_modstamp,
                ),
                url=source.url(deal.id),
            )
        )
        parts.relate(ref, deal.account_id, "account")
        parts.relate(ref, deal.owner_id, "owner")
    return parts.batch()


# What a deleted record of each sObject is in the graph: (kind, removal kind, with history).
# A deleted opportunity takes its stage changes along; a deleted person or company does not
# take the activities of other records (Salesforce deletes those itself, and says so).
DELETABLE: dict[str, tuple[str, Literal["entity", "activity"], bool]] = {
    "Account": ("account", "entity", False),
    "Contact": ("contact", "entity", False),
    "Opportunity": ("opportunity", "entity", True),
    "Task": ("task", "activity", False),
    "Event": ("event", "activity", False),
}


def removals(source: Source, sobject: str, ids: Iterable[str]) -> tuple[Removal, ...]:
    kind, removal, with_history = DELETABLE[sobject]
    return tuple(
        Removal(ref=source.ref(kind, i), kind=removal, with_history=with_history) for i in ids
    )


def website_domain(website: str | None) -> str | None:
    """``https://www.acme.com/about`` → ``acme.com``: the key companies resolve by."""
    text = (website or "").strip().lower()
    if not text:
        return None
    try:
        host = urlsplit(text if "//" in text else f"//{text}").hostname
    except ValueError:
        return None
    if not host or "." not in host:
        return None
    return host.removeprefix("www.")


def _person_identities(
    source: Source, kind: str, record_id: str, email: str | None
) -> tuple[Identity, ...]:
    identities = [source.identity(kind, record_id)]
    if email and "@" in email:
        identities.append(Identity(kind="email", value=email.strip().lower()))
    return tuple(identities)


def entity_attributes(**values: AttributeValue | date | datetime) -> tuple[EntityAttribute, ...]:
    return tuple(
        EntityAttribute(name=name, value=attribute_value(value))
        for name, value in values.items()
        if value is not None
    )


def attribute_value(value: AttributeValue | date | datetime) -> AttributeValue:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value
