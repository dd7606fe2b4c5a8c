"""The personal-data port in memory, for the fast tier: the identity rows only (account,
memberships, sessions), and an erasure with the PostgreSQL function's rules for them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import msgspec

from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.identity_sessions import SessionTables
from adapters.fakes.store import IdentityTables, Tables
from application.compliance.personal_data_ports import (
    Erasure,
    PersonalDataReads,
    PersonalDataUnitOfWork,
)
from application.shared.scope import Scope
from domain.compliance.personal_data import LastOwner, Record, Subject
from domain.identity.errors import SessionEnded
from domain.identity.model import Role
from domain.shared.errors import ScopeViolation
from domain.shared.ids import UserId

_SECTIONS = ("account", "memberships", "sessions")


def _record(value: object) -> Record:
    record: Record = msgspec.to_builtins(value)
    return record


class FakePersonalDataReads(PersonalDataReads):
    def __init__(self, tables: Tables, scope: Scope) -> None:
        self._identity, self._sessions = tables.of(IdentityTables), tables.of(SessionTables)
        self._scope = scope

    def _me(self) -> UserId:
        if self._scope.user_id is None or self._scope.tenant_id is None:
            raise ScopeViolation()
        return self._scope.user_id

    def sections(self) -> Sequence[str]:
        return _SECTIONS

    async def subject(self) -> Subject | None:
        user = self._identity.users.get(self._me())
        return None if user is None else Subject(user_id=user.id, email=user.email)

    async def read(self, section: str) -> list[Record]:
        me, tenant = self._me(), self._scope.tenant_id
        user = self._identity.users.get(me)
        if user is None:
            return []
        if section == "account":
            verified = user.email_verified_at
            return [{
                "user_id": str(me), "email": user.email, "name": user.name,
                "email_verified_at": verified.isoformat() if verified else None,
            }]  # fmt: skip
        if section == "memberships":
            return [_record(m) for (_, u), m in self._identity.memberships.items() if u == me]
        return [
            _record(f) for (t, _), f in self._sessions.families.items()
            if t == tenant and f.user_id == me
        ]  # fmt: skip


class FakeErasure(Erasure):
    def __init__(self, tables: Tables, scope: Scope) -> None:
        self._identity, self._sessions = tables.of(IdentityTables), tables.of(SessionTables)
        self._scope = scope
        self.erased: set[UserId] = set()

    async def erase_current_user(self, at: datetime) -> int:
        me = self._scope.user_id
        if me is None:
            raise ScopeViolation()
        if me not in self._identity.users:
            raise SessionEnded()
        mine = [k for k in self._identity.memberships if k[1] == me]
        for tenant_id, _ in mine:
            owners = {
                u for (t, u), m in self._identity.memberships.items()
                if t == tenant_id and m.role is Role.OWNER
            }  # fmt: skip
            if owners == {me}:
                raise LastOwner()
        for tenant_id, user_id in mine:
            del self._identity.memberships[(tenant_id, user_id)]
            self._sessions.end_membership(tenant_id, user_id)
        del self._identity.users[me]
        self._identity.email_verifications.pop(me, None)  # as the cascade from users does
        self.erased.add(me)
        return len(mine) + 1


class FakePersonalDataUnitOfWork(FakeIdentityUnitOfWork, PersonalDataUnitOfWork):
    def _attach(self, tables: Tables) -> None:
        super()._attach(tables)
        self.personal_data = FakePersonalDataReads(tables, self.scope)
        self.erasure = FakeErasure(tables, self.scope)
