"""The fields Atlas keeps of HubSpot's CRM answers: everything else is never even decoded.

These structs are the connector's allow-list. A deal's ``description``, a contact's notes,
an engagement's ``hs_email_subject``, ``hs_email_text`` or ``hs_meeting_body``, a history
entry's ``sourceLabel`` (a person's name) are not declared here, so no code path can store
them; Atlas's scopes do not cover engagements and the connector never asks for them.
Property values arrive as text (HubSpot renders every property as a string, or null); the
normaliser reads times and numbers out of them leniently.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Next(msgspec.Struct, frozen=True):
    after: str


class Paging(msgspec.Struct, frozen=True):
    next: Next | None = None


class SearchPage(msgspec.Struct, Generic[T], frozen=True):
    """A search answer: ``total`` counts the whole query, paging stops at 10,000 results."""

    total: int = 0
    results: list[T] = []
    paging: Paging | None = None


class CompanyProperties(msgspec.Struct, frozen=True):
    name: str | None = None
    domain: str | None = None
    industry: str | None = None
    hubspot_owner_id: str | None = None
    createdate: str | None = None
    hs_lastmodifieddate: str | None = None


class Company(msgspec.Struct, frozen=True):
    id: str
    properties: CompanyProperties = CompanyProperties()
    updatedAt: str | None = None  # noqa: N815 - HubSpot's field name

    def modified(self) -> str | None:
        return self.properties.hs_lastmodifieddate or self.updatedAt


class ContactProperties(msgspec.Struct, frozen=True):
    email: str | None = None
    firstname: str | None = None
    lastname: str | None = None
    hubspot_owner_id: str | None = None
    createdate: str | None = None
    lastmodifieddate: str | None = None  # contacts alone name it so


class Contact(msgspec.Struct, frozen=True):
    id: str
    properties: ContactProperties = ContactProperties()
    updatedAt: str | None = None  # noqa: N815

    def modified(self) -> str | None:
        return self.properties.lastmodifieddate or self.updatedAt


class DealProperties(msgspec.Struct, frozen=True):
    dealname: str | None = None
    dealstage: str | None = None
    pipeline: str | None = None
    amount: str | None = None
    closedate: str | None = None
    hubspot_owner_id: str | None = None
    createdate: str | None = None
    hs_lastmodifieddate: str | None = None


class Deal(msgspec.Struct, frozen=True):
    id: str
    properties: DealProperties = DealProperties()
    updatedAt: str | None = None  # noqa: N815

    def modified(self) -> str | None:
        return self.properties.hs_lastmodifieddate or self.updatedAt


class Version(msgspec.Struct, frozen=True):
    """One value a property held: who set it, when, through what (never the source's label)."""

    timestamp: str
    value: str | None = None
    sourceType: str | None = None  # noqa: N815
    sourceId: str | None = None  # noqa: N815
    updatedByUserId: int | None = None  # noqa: N815


class StageHistory(msgspec.Struct, frozen=True):
    dealstage: list[Version] = []


class DealWithHistory(msgspec.Struct, frozen=True):
    id: str
    propertiesWithHistory: StageHistory = StageHistory()  # noqa: N815


class DealBatch(msgspec.Struct, frozen=True):
    """A batch read answers 200, or 207 when some ids are gone (archived since the search)."""

    results: list[DealWithHistory] = []


class ObjectId(msgspec.Struct, frozen=True):
    id: str


class Target(msgspec.Struct, frozen=True):
    toObjectId: int | str  # noqa: N815


class Associated(msgspec.Struct, frozen=True):
    from_: ObjectId = msgspec.field(name="from")
    to: list[Target] = []
    paging: Paging | None = None  # more than 500 associations: the rest is read one by one


class AssociationBatch(msgspec.Struct, frozen=True):
    results: list[Associated] = []


class AssociationPage(msgspec.Struct, frozen=True):
    results: list[Target] = []
    paging: Paging | None = None


class Stage(msgspec.Struct, frozen=True):
    id: str
    label: str | None = None


class Pipeline(msgspec.Struct, frozen=True):
    id: str
    stages: list[Stage] = []


class Pipelines(msgspec.Struct, frozen=True):
    results: list[Pipeline] = []


class ArchivedRecord(msgspec.Struct, frozen=True):
    id: str


class ArchivedPage(msgspec.Struct, frozen=True):
    results: list[ArchivedRecord] = []
    paging: Paging | None = None


class Refusal(msgspec.Struct, frozen=True):
    """What Atlas reads of an error answer: codes only, never the message."""

    category: str | None = None
    policyName: str | None = None  # noqa: N815
