"""A signed-in person proves it is them again before an irreversible step (erasing their
account, deleting or restoring an organisation): their password, checked exactly as at sign-in
and counted against the account like a password change's failures, so a stolen access token
buys no unlimited guesses."""

from __future__ import annotations

from typing import final

from application.identity.limits import PASSWORD_FAILURES_PER_ACCOUNT, Throttle
from application.identity.ports import PasswordHasher
from application.identity.sessions import Sessions, UowFor
from application.shared.actor import Actor
from domain.identity.errors import ReauthenticationFailed, SessionEnded
from domain.identity.password import fits_every_scheme
from domain.shared.secret import Secret

# Checked in place of a password that cannot be a stored one, so that attempt costs as much.
_STAND_IN = Secret("stand-in password for an impossible one")


@final
class Reauthentication:
    def __init__(
        self, uow_for: UowFor, hasher: PasswordHasher, sessions: Sessions, throttle: Throttle
    ) -> None:
        self._uow_for, self._hasher, self._sessions = uow_for, hasher, sessions
        self._throttle = throttle

    async def confirm(self, actor: Actor, password: Secret[str]) -> None:
        """``ReauthenticationFailed`` for a wrong password; ``SessionEnded`` when the session
        or the account is gone."""
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            user = await uow.users.get(actor.user_id)
        if user is None:
            raise SessionEnded()
        account = f"user:{actor.user_id}"
        await self._throttle.reserve(PASSWORD_FAILURES_PER_ACCOUNT, account)
        fits = fits_every_scheme(password)  # one too long for any scheme costs the same check
        stored = user.password_hash if fits else None
        if not await self._hasher.verify(password if fits else _STAND_IN, stored) or not fits:
            raise ReauthenticationFailed()
        await self._throttle.forgive(PASSWORD_FAILURES_PER_ACCOUNT, account)
