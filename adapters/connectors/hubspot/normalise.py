"""HubSpot CRM records into graph records: pure functions over the allow-listed structs.

Companies resolve across sources by domain and by their HubSpot id, contacts by email; an
owner named on a record is only mentioned (Atlas's scopes do not read the owners list). A
deal keeps its name, stage, pipeline, amount and close date; its stage history becomes one
activity per stage entered (``deals.py``). Every record links to itself in HubSpot.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta

import msgspec

from adapters.connectors.hubspot.records import Company, Contact
from domain.graph.model import (
    EPOCH,
    EntityAttribute,
    EntityRecord,
    GraphBatch,
    Identity,
    RelationshipRecord,
    Removal,
    SourceRef,
)

PROVIDER = "hubspot"
APP = "https://app.hubspot.com"
OBJECT_TYPE_IDS = {"contact": "0-1", "company": "0-2", "deal": "0-3"}
_MS = timedelta(milliseconds=1)

Value = str | int | float | bool | None


class Source(msgspec.Struct, frozen=True, kw_only=True):
    """What the normaliser knows of the connection: the scope its ids are unique within and
    the portal (hub) they belong to, for identities across connections and deep links."""

    scope: str
    hub: str | None  # "146520881" from the connection's "hub:146520881"

    @property
    def account(self) -> str:
        return self.hub or self.scope

    def ref(self, kind: str, record_id: str) -> SourceRef:
        return SourceRef(provider=PROVIDER, scope=self.scope, source_id=f"{kind}:{record_id}")

    def url(self, kind: str, record_id: str) -> str | None:
        if self.hub is None:
            return None
        if kind not in OBJECT_TYPE_IDS:  # owners and users: HubSpot shows them in its settings
            return f"{APP}/settings/{self.hub}/users"
        return f"{APP}/contacts/{self.hub}/record/{OBJECT_TYPE_IDS[kind]}/{record_id}"

    def company_identity(self, company_id: str) -> Identity:
        return Identity(kind="account", value=f"{PROVIDER}:{self.account}/{company_id}")

    def person_identity(self, kind: str, person_id: str) -> Identity:
        # Contacts, owners and users are three id spaces: the kind keeps them apart.
        return Identity(kind="user", value=f"{PROVIDER}:{self.account}/{kind}:{person_id}")

    def mention(self, kind: str, record_id: str) -> EntityRecord:
        """A record only named by another (created if missing, never overwriting it)."""
        identities: tuple[Identity, ...] = ()
        if kind == "company":
            entity, identities = "company", (self.company_identity(record_id),)
        elif kind == "deal":
            entity = "deal"
        else:  # contact, owner, user
            entity, identities = "person", (self.person_identity(kind, record_id),)
        return EntityRecord(
            ref=self.ref(kind, record_id),
            type=entity,
            identities=identities,
            url=self.url(kind, record_id),
            reference=True,
        )


def companies(source: Source, items: Iterable[Company]) -> GraphBatch:
    entities: list[EntityRecord] = []
    relationships: list[RelationshipRecord] = []
    for company in items:
        p = company.properties
        identities = [source.company_identity(company.id)]
        if p.domain and p.domain.strip():
            identities.append(Identity(kind="domain", value=p.domain.strip().lower()))
        values = {
            "domain": p.domain,
            "industry": p.industry,
            "created_at": iso(p.createdate),
            "updated_at": iso(company.modified()),
        }
        entities.append(
            EntityRecord(
                ref=source.ref("company", company.id),
                type="company",
                name=p.name,
                attributes=attributes(values),
                identities=tuple(identities),
                url=source.url("company", company.id),
            )
        )
        _owned(
            source, source.ref("company", company.id), p.hubspot_owner_id, entities, relationships
        )
    return GraphBatch(entities=tuple(entities), relationships=tuple(relationships))


def contacts(
    source: Source, items: Iterable[Contact], companies_of: Mapping[str, Sequence[str]]
) -> GraphBatch:
    """Contacts as people, with the companies HubSpot associates them with."""
    entities: list[EntityRecord] = []
    relationships: list[RelationshipRecord] = []
    for contact in items:
        p, ref = contact.properties, source.ref("contact", contact.id)
        identities = [source.person_identity("contact", contact.id)]
        if p.email and p.email.strip():
            identities.append(Identity(kind="email", value=p.email.strip()))
        name = " ".join(part.strip() for part in (p.firstname, p.lastname) if part and part.strip())
        values = {"created_at": iso(p.createdate), "updated_at": iso(contact.modified())}
        entities.append(
            EntityRecord(
                ref=ref,
                type="person",
                name=name or None,
                attributes=attributes(values),
                identities=tuple(identities),
                url=source.url("contact", contact.id),
            )
        )
        _owned(source, ref, p.hubspot_owner_id, entities, relationships)
        for company_id in companies_of.get(contact.id, ()):
            entities.append(source.mention("company", company_id))
            target = source.ref("company", company_id)
            relationships.append(
                RelationshipRecord(source=ref, target=target, qualifier="member_of")
            )
    return GraphBatch(entities=tuple(entities), relationships=tuple(relationships))


def _owned(
    source: Source,
    ref: SourceRef,
    owner_id: str | None,
    entities: list[EntityRecord],
    relationships: list[RelationshipRecord],
) -> None:
    if owner_id and owner_id.strip():
        entities.append(source.mention("owner", owner_id.strip()))
        target = source.ref("owner", owner_id.strip())
        relationships.append(RelationshipRecord(source=ref, target=target, qualifier="owner"))


def removals(source: Source, kind: str, record_ids: Iterable[str]) -> tuple[Removal, ...]:
    """Archived records leave the graph; a deal takes its stage changes along."""
    return tuple(Removal(ref=source.ref(kind, i), kind="entity") for i in record_ids)


def attributes(values: Mapping[str, Value]) -> tuple[EntityAttribute, ...]:
    return tuple(
        EntityAttribute(name=name, value=value)
        for name, value in values.items()
        if value is not None and value != ""
    )


def moment(text: str | None) -> datetime | None:
    """A HubSpot time: ISO 8601 (v3 renders them so) or epoch milliseconds; None if neither."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    if text.isdigit():
        return EPOCH + int(text) * _MS
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def millis(text: str | None) -> int | None:
    at = moment(text)
    return None if at is None else (at - EPOCH) // _MS


def iso(text: str | None) -> str | None:
    at = moment(text)
    return None if at is None else at.astimezone(UTC).isoformat()


def number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None and text.strip() else None
    except ValueError:
        return None
