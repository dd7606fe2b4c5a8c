"""Erase an account (GDPR Art. 17): the person re-authenticates with their password, then

1. in each of their tenants, every grant of theirs goes back to its provider and the records
   their personal sources brought are purged (the member-departure path: best effort at the
   provider, the tokens deleted here whatever it answered; outside any transaction);
2. one transaction puts them on the suppression list and erases them in the database
   (``erase_current_user``: the same SQL ``atlas restore`` re-applies): private records,
   sessions, connections, memberships, credentials and the account go, the records of shared
   sources that name them keep their ids under a pseudonym;
3. the personal sources are swept once more, for a sync page that was in flight.

A tenant's only owner is refused before anything is touched, and again inside the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import final

import msgspec

from application.compliance.personal_data_ports import PersonalDataUnitOfWork
from application.identity.limits import Throttle
from application.identity.ports import MemberDeparture, PasswordHasher
from application.identity.reauthenticate import Reauthentication
from application.identity.sessions import Sessions
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry
from domain.compliance.personal_data import LastOwner
from domain.identity.model import Role, TenantMembership
from domain.shared.secret import Secret

log = logging.getLogger("atlas.compliance")


class EraseAccountCommand(msgspec.Struct, frozen=True, kw_only=True):
    password: Secret[str]


@final
class EraseAccount:
    def __init__(
        self,
        *,
        uow_for: Callable[[Scope], PersonalDataUnitOfWork],
        hasher: PasswordHasher,
        sessions: Sessions,
        throttle: Throttle,
        departure: MemberDeparture,
    ) -> None:
        self._uow_for, self._sessions, self._departure = uow_for, sessions, departure
        self._reauthentication = Reauthentication(uow_for, hasher, sessions, throttle)

    async def execute(self, actor: Actor, command: EraseAccountCommand) -> None:
        tenants = await self._reauthenticate(actor, command.password)
        await self._refuse_sole_owner(actor, tenants)
        purged = {t.tenant_id: await self._departure.release(t.tenant_id, actor.user_id)
                  for t in tenants}  # fmt: skip
        async with self._uow_for(actor.scope) as uow:
            touched = await uow.erasure.erase_current_user(self._sessions.now())
            await uow.commit()
        self._sessions.forget_user(actor.user_id)
        for membership in tenants:
            # That it happened, and nothing of whom: the system's record, no id, no address.
            scope = Scope(tenant_id=membership.tenant_id, user_id=None)
            async with self._uow_for(scope.despite_pending_deletion()) as uow:
                uow.audit.record(AuditEntry(action=AuditAction.DATA_ERASED, target_type="member"))
                await uow.commit()
        for tenant_id, scopes in purged.items():
            await self._departure.sweep(tenant_id, actor.user_id, scopes)
        log.info("account erased: %d tenant(s), %d row(s) touched", len(tenants), touched)

    async def _reauthenticate(self, actor: Actor, password: Secret[str]) -> list[TenantMembership]:
        await self._reauthentication.confirm(actor, password)
        async with self._uow_for(actor.scope) as uow:
            return list(await uow.memberships.of_current_user())

    async def _refuse_sole_owner(self, actor: Actor, tenants: list[TenantMembership]) -> None:
        for tenant in tenants:
            if tenant.role is not Role.OWNER:
                continue
            async with self._uow_for(
                Scope(tenant_id=tenant.tenant_id, user_id=actor.user_id)
            ) as uow:
                members = await uow.memberships.all()
            if not any(m.role is Role.OWNER and m.user_id != actor.user_id for m in members):
                raise LastOwner(tenant_id=str(tenant.tenant_id))
