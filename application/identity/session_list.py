"""The caller's own sign-in sessions in this tenant, for the Account screen."""

from __future__ import annotations

from datetime import datetime
from typing import final
from uuid import UUID

import msgspec

from application.identity.sessions import Sessions, UowFor
from application.shared.actor import Actor


class SessionSummary(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime  # when it ends unless used again: idle timeout or absolute, first
    current: bool  # the session the presented access token belongs to


@final
class ListSessions:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor) -> list[SessionSummary]:
        """Live families only: revoked, expired and idle ones are not sessions any more."""
        now, policy = self._sessions.now(), self._sessions.policy
        async with self._uow_for(actor.scope) as uow:
            families = await uow.sessions.families_of(actor.tenant_id, actor.user_id)
        return [
            SessionSummary(
                id=family.id,
                created_at=family.created_at,
                last_used_at=family.last_used_at,
                expires_at=min(family.expires_at, family.last_used_at + policy.idle_timeout),
                current=family.id == actor.session_id,
            )
            for family in families
            if family.active(now, policy)
        ]
