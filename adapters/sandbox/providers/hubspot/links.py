"""HubSpot's associations between the seeded records: HubSpot-defined types only."""

from __future__ import annotations

from typing import Any

from adapters.sandbox.providers.hubspot.records import object_id
from adapters.sandbox.seed.dataset import Dataset


def associations(d: Dataset, source: str, key: int, target: str) -> list[tuple[str, int]]:
    """``(target id, association type id)`` pairs, HubSpot-defined types only."""
    links = _LINKS.get((source, target))
    return [(object_id(target, k), type_id) for k, type_id in links(d, key)] if links else []


def _deal_links(d: Dataset, key: int, target: str) -> list[tuple[int, int]]:
    deal = d.deals[key]
    return [(deal.account, 5)] if target == "companies" else [(c, 3) for c in deal.contacts]


_LINKS: dict[tuple[str, str], Any] = {
    ("deals", "companies"): lambda d, k: _deal_links(d, k, "companies"),
    ("deals", "contacts"): lambda d, k: _deal_links(d, k, "contacts"),
    ("contacts", "companies"): lambda d, k: (
        [(d.people[k].account, 1)] if k < len(d.people) and d.people[k].account is not None else []
    ),
    ("contacts", "deals"): lambda d, k: [(x, 4) for x in d.deals_by_contact.get(k, ())],
    ("companies", "contacts"): lambda d, k: [(p.key, 2) for p in d.contacts_of(k)],
    ("companies", "deals"): lambda d, k: [(x, 6) for x in d.deals_by_account.get(k, ())],
    ("tickets", "contacts"): lambda d, k: [(d.tickets[k].requester, 16)],
    ("tickets", "companies"): lambda d, k: [(d.tickets[k].account, 26)],
    ("meetings", "deals"): lambda d, k: (
        [(d.meetings_by_key[k].deal, 212)] if d.meetings_by_key[k].deal is not None else []
    ),
    ("meetings", "contacts"): lambda d, k: [
        (p, 200) for p, _ in d.meetings_by_key[k].attendees if not d.people[p].internal
    ],
    ("emails", "deals"): lambda d, k: (
        [(d.emails_by_key[k].deal, 210)] if d.emails_by_key[k].deal is not None else []
    ),
    ("emails", "contacts"): lambda d, k: [
        (p, 198)
        for p in (d.emails_by_key[k].sender, *d.emails_by_key[k].to)
        if not d.people[p].internal
    ],
}
