"""Change the password: the current one is required, and every other session ends."""

from __future__ import annotations

from typing import final

import msgspec

from application.identity.limits import PASSWORD_FAILURES_PER_ACCOUNT, Throttle
from application.identity.ports import PasswordHasher
from application.identity.sessions import Client, Sessions, UowFor
from application.shared.actor import Actor
from domain.identity.errors import ReauthenticationFailed, SessionEnded
from domain.identity.password import check_new_password, fits_every_scheme
from domain.identity.sessions import RevocationReason, SecurityEventKind
from domain.shared.secret import Secret


class ChangePasswordCommand(msgspec.Struct, frozen=True, kw_only=True):
    current_password: Secret[str]
    new_password: Secret[str]


@final
class ChangePassword:
    def __init__(
        self, uow_for: UowFor, hasher: PasswordHasher, sessions: Sessions, throttle: Throttle
    ) -> None:
        self._uow_for, self._hasher, self._sessions = uow_for, hasher, sessions
        self._throttle = throttle

    async def execute(self, actor: Actor, command: ChangePasswordCommand, client: Client) -> None:
        account = f"user:{actor.user_id}"
        new_password = check_new_password(command.new_password)
        async with self._uow_for(actor.scope) as uow:
            family = await self._sessions.require_active(uow, actor)
            user = await uow.users.get(actor.user_id)
        if user is None:
            raise SessionEnded()
        # Only a guess at the current password counts against the account.
        await self._throttle.reserve(PASSWORD_FAILURES_PER_ACCOUNT, account)
        current = command.current_password
        matched = await self._hasher.verify(
            current if fits_every_scheme(current) else new_password,
            user.password_hash if fits_every_scheme(current) else None,
        )
        if not matched:
            raise ReauthenticationFailed()
        await self._throttle.forgive(PASSWORD_FAILURES_PER_ACCOUNT, account)
        new_hash = await self._hasher.hash(new_password)
        # A leaked password is changed at once, even while the tenant is pending deletion.
        async with self._uow_for(actor.scope.despite_pending_deletion()) as uow:
            await uow.users.save(msgspec.structs.replace(user, password_hash=new_hash))
            await uow.security_events.add(
                self._sessions.security_event(SecurityEventKind.PASSWORD_CHANGED, family, client)
            )
            await uow.commit()
        await self._sessions.revoke_everywhere(
            self._uow_for, actor.user_id, RevocationReason.PASSWORD_CHANGED, keep=actor.session_id
        )
