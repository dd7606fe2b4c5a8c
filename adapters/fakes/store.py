"""The in-memory store behind every fake repository, with transactional snapshots."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any

from domain.identity.model import Membership, Tenant, User
from domain.shared.ids import TenantId, UserId


@dataclass
class Tables:
    """One dict per table; values are frozen structs, so a shallow copy per table snapshots it."""

    tenants: dict[TenantId, Tenant] = field(default_factory=dict)
    users: dict[UserId, User] = field(default_factory=dict)
    memberships: dict[tuple[TenantId, UserId], Membership] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def snapshot(self) -> Tables:
        copied = {
            f.name: copy.copy(getattr(self, f.name)) for f in fields(self) if f.name != "extra"
        }
        return Tables(**copied, extra={k: copy.deepcopy(v) for k, v in self.extra.items()})


class InMemoryStore:
    """Committed state. A fake unit of work works on a snapshot and swaps it in on commit."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.commits = 0

    def begin(self) -> Tables:
        return self.tables.snapshot()

    def commit(self, working: Tables) -> None:
        self.tables = working
        self.commits += 1
