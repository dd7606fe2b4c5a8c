"""The in-memory store behind every fake repository, with transactional snapshots.

Each context keeps its rows in its own dataclass of dicts (``IdentityTables``, …), fetched with
``tables.of(IdentityTables)``; values are frozen structs, so a shallow copy of every dict is a
snapshot. A fake unit of work works on a snapshot and swaps it in on commit.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

from domain.identity.model import Membership, Tenant, User
from domain.shared.ids import TenantId, UserId

Part = TypeVar("Part")


class Tables:
    def __init__(self, parts: dict[type, Any] | None = None) -> None:
        self._parts: dict[type, Any] = parts if parts is not None else {}

    def of(self, kind: type[Part]) -> Part:
        if kind not in self._parts:
            self._parts[kind] = kind()
        part: Part = self._parts[kind]
        return part

    def snapshot(self) -> Tables:
        return Tables({kind: _copy_part(part) for kind, part in self._parts.items()})


def _copy_part(part: Any) -> Any:
    changes = {f.name: copy.copy(getattr(part, f.name)) for f in dataclasses.fields(part)}
    return dataclasses.replace(part, **changes)


@dataclass
class IdentityTables:
    tenants: dict[TenantId, Tenant] = field(default_factory=dict)
    users: dict[UserId, User] = field(default_factory=dict)
    memberships: dict[tuple[TenantId, UserId], Membership] = field(default_factory=dict)


class InMemoryStore:
    """Committed state, shared by every fake unit of work of one harness."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.commits = 0

    def begin(self) -> Tables:
        return self.tables.snapshot()

    def commit(self, working: Tables) -> None:
        self.tables = working
        self.commits += 1
