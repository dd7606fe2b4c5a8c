"""Sign out: end this session (its refresh family), or every session of the account."""

from __future__ import annotations

from typing import final
from uuid import UUID

from application.identity.sessions import Sessions, UowFor
from application.shared.actor import Actor
from domain.identity.errors import SessionNotFound
from domain.identity.sessions import RevocationReason


@final
class LogOut:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor) -> None:
        # Idempotent: signing out of an ended session is not an error. Signing out always
        # works, a tenant pending deletion included.
        async with self._uow_for(actor.scope.despite_pending_deletion()) as uow:
            await self._sessions.end(uow, actor, RevocationReason.LOGOUT)
            await uow.commit()

    async def end_session(self, actor: Actor, session_id: UUID) -> None:
        """End one of the actor's own live sessions in this tenant (the Account screen's
        list). Unknown, ended, or another user's: ``SessionNotFound``, the same answer."""
        now = self._sessions.now()
        async with self._uow_for(actor.scope.despite_pending_deletion()) as uow:
            family = await uow.sessions.family_of(actor.tenant_id, actor.user_id, session_id)
            if family is None or not family.active(now, self._sessions.policy):
                raise SessionNotFound()
            self._sessions.forget(family.id)
            await uow.sessions.save_family(family.revoke(now, RevocationReason.LOGOUT))
            await uow.commit()


@final
class LogOutEverywhere:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor) -> int:
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
        return await self._sessions.revoke_everywhere(
            self._uow_for, actor.user_id, RevocationReason.LOGOUT_ALL
        )
