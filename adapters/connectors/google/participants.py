"""The people a message or an event mentions, and the companies their addresses point to.

A person is known to Gmail and Calendar only by an address: a mention (``reference=True``)
with an email identity, so it resolves to the CRM contact, the Slack member, the Zendesk user
with that address. Their companies are mentions by domain, resolving to the CRM account with
that domain; public mail domains (gmail.com...) say nothing about an employer and the owner's
own domain is the tenant itself, so neither makes a company.
"""

from __future__ import annotations

from urllib.parse import quote

import msgspec

from domain.graph.model import EntityRecord, Identity, SourceRef
from domain.graph.resolution import normalise_domain
from domain.identity.errors import InvalidEmail
from domain.identity.model import normalise_email


def address(raw: str | None) -> str | None:
    """A comparable email address, or None when ``raw`` is none."""
    if not raw:
        return None
    try:
        return normalise_email(raw)
    except InvalidEmail:
        return None


def domain_of(email: str) -> str | None:
    return normalise_domain(email.rpartition("@")[2])


class Participants(msgspec.Struct, frozen=True, kw_only=True):
    """Mentions of people and companies within one connection (``scope``)."""

    provider: str
    scope: str
    own_domain: str | None  # the mailbox or calendar owner's domain: the tenant itself
    # Where the provider's own interface searches: a person known only by an address, or a
    # company by a domain, opens as the mail or the meetings that name it.
    search: str

    def found_at(self, term: str) -> str:
        return self.search + quote(term, safe="@")

    def ref(self, source_id: str) -> SourceRef:
        return SourceRef(provider=self.provider, scope=self.scope, source_id=source_id)

    def person_ref(self, email: str) -> SourceRef:
        return self.ref(f"email:{email}")

    def person(self, email: str, name: str | None = None) -> EntityRecord:
        return EntityRecord(
            ref=self.person_ref(email),
            type="person",
            name=name or None,
            identities=(Identity(kind="email", value=email),),
            url=self.found_at(email),
            reference=True,
        )

    def company_domain(self, email: str) -> str | None:
        domain = domain_of(email)
        return None if domain is None or domain == self.own_domain else domain

    def company_ref(self, domain: str) -> SourceRef:
        return self.ref(f"domain:{domain}")

    def company(self, domain: str) -> EntityRecord:
        return EntityRecord(
            ref=self.company_ref(domain),
            type="company",
            identities=(Identity(kind="domain", value=domain),),
            url=self.found_at(domain),
            reference=True,
        )
