"""Entity resolution: one person across sources, one company across sources.

People resolve by normalised email address and by provider user ids; companies by CRM account
ids and by email domain, except public mail domains (a gmail.com address says nothing about
an employer). Records that share a key join one cluster; the cluster's canonical id is the
smallest record id in it, so the outcome does not depend on delivery order. Every union is
recorded as a merge that can be undone; an undone merge keeps its two sides apart afterwards.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import msgspec

from domain.graph.model import EntityId, EntityRecord, Identity
from domain.identity.errors import InvalidEmail
from domain.identity.model import normalise_email

PERSON, COMPANY = "person", "company"
RESOLVED_TYPES = frozenset({PERSON, COMPANY})

PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "aol.com", "gmail.com", "gmx.de", "gmx.net", "googlemail.com", "hotmail.com",
        "icloud.com", "live.com", "mail.com", "mail.ru", "me.com", "msn.com", "outlook.com",
        "proton.me", "protonmail.com", "qq.com", "web.de", "yahoo.com", "yandex.ru",
        "zoho.com", "163.com",
    }
)  # fmt: skip


def normalise_domain(raw: str) -> str | None:
    domain = raw.strip().lower().rstrip(".")
    domain = domain.removeprefix("www.")
    if "." not in domain or any(c.isspace() or c in "@/" for c in domain):
        return None
    return None if domain in PUBLIC_MAIL_DOMAINS else domain


def normalise(identity: Identity) -> Identity | None:
    """The comparable form of a key, or None when it cannot identify anyone."""
    if identity.kind == "email":
        try:
            return Identity(kind="email", value=normalise_email(identity.value))
        except InvalidEmail:
            return None
    if identity.kind == "domain":
        domain = normalise_domain(identity.value)
        return Identity(kind="domain", value=domain) if domain else None
    provider, sep, local = identity.value.partition(":")
    if not sep or not provider.strip() or not local.strip():
        return None  # user and account ids are "provider:id"
    return Identity(kind=identity.kind, value=f"{provider.strip().lower()}:{local.strip()}")


_KINDS = {PERSON: frozenset({"email", "user"}), COMPANY: frozenset({"account", "domain"})}


def type_of(key: Identity) -> str:
    """The entity type a key resolves: keys never join a person with a company."""
    return PERSON if key.kind in _KINDS[PERSON] else COMPANY


def keys_of(record: EntityRecord) -> frozenset[Identity]:
    """The keys a record resolves by; only people and companies resolve."""
    kinds = _KINDS.get(record.type)
    if not kinds:
        return frozenset()
    keys = {normalise(i) for i in record.identities if i.kind in kinds}
    return frozenset(k for k in keys if k is not None)


class Merge(msgspec.Struct, frozen=True, kw_only=True):
    """Cluster ``absorbed`` joins cluster ``survivor`` because both hold ``key``."""

    survivor: EntityId
    absorbed: EntityId
    key: Identity


class Plan(msgspec.Struct, frozen=True, kw_only=True):
    merges: tuple[Merge, ...]
    canonical: dict[EntityId, EntityId]  # every record of the batch -> its canonical id


class _Clusters:
    """Union-find over canonical ids; the smaller id always survives."""

    def __init__(
        self,
        canonical_of: Mapping[EntityId, EntityId],
        separated: Iterable[tuple[EntityId, EntityId]],
    ) -> None:
        self._canonical_of = canonical_of
        self._parent: dict[EntityId, EntityId] = {}
        self._separated = list(separated)

    def find(self, node: EntityId) -> EntityId:
        root = self._canonical_of.get(node, node)
        while self._parent.get(root, root) != root:
            root = self._parent[root]
        return root

    def union(self, left: EntityId, right: EntityId, key: Identity) -> Merge | None:
        left, right = self.find(left), self.find(right)
        if left == right:
            return None
        for a, b in self._separated:
            if {self.find(a), self.find(b)} == {left, right}:
                return None  # an undone merge keeps these two apart
        survivor, absorbed = min(left, right), max(left, right)
        self._parent[absorbed] = survivor
        return Merge(survivor=survivor, absorbed=absorbed, key=key)


def plan(
    records: Sequence[tuple[EntityId, frozenset[Identity]]],
    owners: Mapping[Identity, Collection[EntityId]],
    canonical_of: Mapping[EntityId, EntityId],
    separated: Iterable[tuple[EntityId, EntityId]] = (),
) -> Plan:
    """Unions implied by the batch's keys over existing clusters.

    ``owners`` maps each key to the stored records holding it; ``canonical_of`` gives every
    stored record involved (owners, separated pairs, batch records already stored) its
    current canonical id.
    """
    clusters = _Clusters(canonical_of, separated)
    merges: list[Merge] = []
    holders: dict[Identity, list[EntityId]] = {k: sorted(v) for k, v in owners.items()}
    for record_id, keys in sorted(records):
        for key in sorted(keys):
            for other in holders.setdefault(key, []):
                merge = clusters.union(record_id, other, key)
                if merge is not None:
                    merges.append(merge)
            holders[key].append(record_id)
    canonical = {record_id: clusters.find(record_id) for record_id, _ in records}
    return Plan(merges=tuple(merges), canonical=canonical)
