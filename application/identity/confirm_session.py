"""Confirm, on every authenticated request, that the session is live and the role current.

A signed access token outlives logout, password change, refresh-token reuse, removal from the
tenant and demotion by up to its lifetime. Checking the session's family and the membership at
each request closes that window for every endpoint, not only the identity ones (R3.6).

A confirmation is remembered for one second per process (``Sessions.remember``): a burst of
requests from one session costs one read. Ending a session or changing a membership forgets it
at once in the process that did it; other processes see the change within that second.
"""

from __future__ import annotations

from typing import final

import msgspec

from application.identity.sessions import Sessions, UowFor
from application.shared.actor import Actor
from domain.identity.errors import SessionEnded
from domain.identity.model import Role


@final
class ConfirmSession:
    def __init__(self, uow_for: UowFor, sessions: Sessions) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, claimed: Actor, *, fresh: bool = False) -> Actor:
        """The actor with the role it holds now; ``SessionEnded`` if the session is over.
        ``fresh``: ask the database even if this process confirmed it a moment ago (a notice
        says the session or the membership just changed)."""
        remembered = None if fresh else self._sessions.remembered_role(claimed)
        if remembered is not None:
            return _with_role(claimed, remembered)
        async with self._uow_for(claimed.scope) as uow:
            found = await uow.sessions.family_and_role(claimed.session_id)
        if found is None:
            raise SessionEnded()
        family, role = found
        self._sessions.check_live(family)
        self._sessions.remember(claimed, role)
        return _with_role(claimed, role)


def _with_role(claimed: Actor, role: Role) -> Actor:
    return claimed if role is claimed.role else msgspec.structs.replace(claimed, role=role)
