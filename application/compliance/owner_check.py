"""An owner proves it is them again before a destructive tenant action: role and password."""

from __future__ import annotations

from typing import final

from application.identity.limits import Throttle
from application.identity.ports import PasswordHasher
from application.identity.reauthenticate import Reauthentication
from application.identity.sessions import Sessions, UowFor
from application.shared.actor import Actor
from domain.identity.errors import RoleRequired
from domain.identity.model import Role
from domain.shared.secret import Secret


@final
class OwnerCheck:
    def __init__(
        self, uow_for: UowFor, hasher: PasswordHasher, sessions: Sessions, throttle: Throttle
    ) -> None:
        self._reauthentication = Reauthentication(uow_for, hasher, sessions, throttle)

    async def confirm(self, actor: Actor, password: Secret[str]) -> None:
        """``RoleRequired`` for anyone but an owner; ``ReauthenticationFailed`` for a wrong
        password (counted against the account like a password change's)."""
        if actor.role is not Role.OWNER:
            raise RoleRequired()
        await self._reauthentication.confirm(actor, password)
