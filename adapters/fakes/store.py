"""The in-memory store behind every fake repository, with transactional snapshots.

Each context keeps its rows in its own dataclass of dicts (``IdentityTables``, …), fetched with
``tables.of(IdentityTables)``; values are frozen structs, so a shallow copy of every dict is a
snapshot. A fake unit of work works on a snapshot and, on commit, applies only what it changed
(rows it wrote or deleted) to the committed tables: two interleaved units of work both keep
their writes, as two transactions touching different rows do in PostgreSQL.
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any, TypeVar

from domain.identity.email_verification import EmailVerification
from domain.identity.model import Membership, Tenant, User
from domain.shared.ids import TenantId, UserId

Part = TypeVar("Part")
_ABSENT = object()


class Tables:
    def __init__(self, parts: dict[type, Any] | None = None) -> None:
        self._parts: dict[type, Any] = parts if parts is not None else {}
        # What a snapshot started from, so that a commit can tell its own writes apart.
        self.base: Tables | None = None

    def of(self, kind: type[Part]) -> Part:
        if kind not in self._parts:
            self._parts[kind] = kind()
        part: Part = self._parts[kind]
        return part

    def snapshot(self) -> Tables:
        working = Tables({kind: _copy_part(part) for kind, part in self._parts.items()})
        working.base = Tables({kind: _copy_part(part) for kind, part in self._parts.items()})
        return working

    def apply(self, working: Tables) -> None:
        """Apply to these tables what ``working`` changed since its snapshot, nothing else."""
        base = working.base._parts if working.base is not None else {}
        for kind, part in working._parts.items():
            before = base.get(kind)
            _apply_part(self.of(kind), before if before is not None else kind(), part)


def _copy_part(part: Any) -> Any:
    changes = {f.name: copy.copy(getattr(part, f.name)) for f in dataclasses.fields(part)}
    return dataclasses.replace(part, **changes)


def _apply_part(committed: Any, base: Any, working: Any) -> None:
    for name in (f.name for f in dataclasses.fields(working)):
        was, now = getattr(base, name), getattr(working, name)
        current = getattr(committed, name)
        if isinstance(now, dict):
            _apply_rows(current, was, now)
        elif isinstance(now, set):
            current -= was - now
            current |= now - was
        elif isinstance(now, list) and now[: len(was)] == was:
            current.extend(now[len(was) :])  # appended rows (the lists are append-only logs)
        elif now != was:
            setattr(committed, name, copy.copy(now))


def _apply_rows(current: dict[Any, Any], was: dict[Any, Any], now: dict[Any, Any]) -> None:
    # Values are immutable, so a row this unit of work wrote is a different object.
    for key, value in now.items():
        if was.get(key, _ABSENT) is not value:
            current[key] = value
    for key in was.keys() - now.keys():
        current.pop(key, None)


@dataclass
class IdentityTables:
    tenants: dict[TenantId, Tenant] = field(default_factory=dict)
    users: dict[UserId, User] = field(default_factory=dict)
    memberships: dict[tuple[TenantId, UserId], Membership] = field(default_factory=dict)
    email_verifications: dict[UserId, EmailVerification] = field(default_factory=dict)


class InMemoryStore:
    """Committed state, shared by every fake unit of work of one harness."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.commits = 0

    def begin(self) -> Tables:
        return self.tables.snapshot()

    def commit(self, working: Tables) -> None:
        self.tables.apply(working)
        self.commits += 1
