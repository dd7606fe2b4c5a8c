"""Exchange a refresh token for a new pair; a replayed token revokes its whole family.

Defined behaviour for two truly concurrent refreshes with the same token: the database lets
exactly one of them consume it (an atomic ``UPDATE … WHERE used_at IS NULL``). The other finds
the token already rotated; if that happened less than ``reuse_window`` ago and nothing issued
from it has been used yet, it gets a sibling token of the same family, and the family stays
active. The first of the siblings to be used supersedes the others. Any other used token —
two rotations back, a superseded sibling, or the previous token after the window — is a
replay: the family is revoked and a security event records it.
"""

from __future__ import annotations

from typing import final

from application.feed import announce
from application.identity.limits import REFRESH_PER_ADDRESS, REFRESH_PER_SESSION, Throttle
from application.identity.ports import IdentityUnitOfWork
from application.identity.residency import admit_tenant
from application.identity.sessions import Client, Sessions, TokenPair, UowFor
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry, Outcome
from domain.identity import opaque
from domain.identity.errors import InvalidRefreshToken
from domain.identity.residency import Residency
from domain.identity.sessions import (
    RefreshFamily,
    RefreshTokenRecord,
    RevocationReason,
    SecurityEventKind,
    reuse_allowed,
)
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret


@final
class RefreshSession:
    def __init__(
        self, uow_for: UowFor, sessions: Sessions, throttle: Throttle, residency: Residency
    ) -> None:
        self._uow_for, self._sessions, self._throttle = uow_for, sessions, throttle
        self._residency = residency

    async def execute(self, refresh_token: Secret[str], client: Client) -> TokenPair:
        await self._throttle.attempt(REFRESH_PER_ADDRESS, client.address)
        token = opaque.parse(refresh_token.reveal())
        if token is None:
            raise InvalidRefreshToken()
        scope = Scope(tenant_id=TenantId(token.tenant_id), user_id=UserId(token.subject_id))
        scope = scope.despite_pending_deletion()  # sessions go on while a deletion is pending
        async with self._uow_for(scope) as uow:
            if await uow.sessions.find_token(token.digest) is not None:
                # A real token of a tenant of another region (a restored dump, a region set by
                # hand) is refused before it is consumed, rotated or counted as a replay.
                await admit_tenant(uow, self._residency, TenantId(token.tenant_id))
            consumed = await uow.sessions.consume(token.digest, self._sessions.now())
            if consumed is not None:
                # Raising here rolls the consumption back: the client keeps a usable token.
                await self._throttle.attempt(REFRESH_PER_SESSION, str(consumed.family_id))
                pair = await self._rotate(uow, consumed)
            else:
                pair = await self._reused(uow, token.digest, client)
            await uow.commit()
        if pair is None:
            raise InvalidRefreshToken()
        return pair

    async def _rotate(
        self, uow: IdentityUnitOfWork, consumed: RefreshTokenRecord
    ) -> TokenPair | None:
        family = await self._live_family(uow, consumed)
        if family is None:
            return None
        # Siblings issued in a reuse window die now: only this branch of the family goes on.
        await uow.sessions.supersede_unused(family.id, self._sessions.now())
        return await self._continue(uow, family, parent=consumed.digest)

    async def _reused(
        self, uow: IdentityUnitOfWork, digest: bytes, client: Client
    ) -> TokenPair | None:
        seen = await uow.sessions.find_token(digest)
        if seen is None:
            return None  # never ours, or its family is gone (membership ended)
        family = await self._live_family(uow, seen)
        if family is None:
            return None
        presented = await uow.sessions.find_token(digest)  # fresh, now that the family is locked
        children = await uow.sessions.children(digest)
        policy, now = self._sessions.policy, self._sessions.now()
        if presented is not None and reuse_allowed(presented, children, at=now, policy=policy):
            return await self._continue(uow, family, parent=digest)
        self._sessions.forget(family.id)
        await uow.sessions.save_family(family.revoke(now, RevocationReason.REUSE_DETECTED))
        await uow.security_events.add(
            self._sessions.security_event(SecurityEventKind.REFRESH_TOKEN_REUSED, family, client)
        )
        uow.events.announce(announce.security_alert(
            "refresh_token_reused", family.user_id, session_id=str(family.id),
            address=client.address,
        ))  # fmt: skip
        uow.audit.record(AuditEntry(
            action=AuditAction.REFRESH_REUSED, target_type="session", target_id=str(family.id),
            outcome=Outcome.DENIED, actor_id=str(family.user_id),
        ))  # fmt: skip
        return None

    async def _live_family(
        self, uow: IdentityUnitOfWork, token: RefreshTokenRecord
    ) -> RefreshFamily | None:
        family = await uow.sessions.get_family(token.family_id, lock=True)
        if family is None or not family.active(self._sessions.now(), self._sessions.policy):
            return None
        return family

    async def _continue(
        self, uow: IdentityUnitOfWork, family: RefreshFamily, *, parent: bytes
    ) -> TokenPair | None:
        # The role is read afresh: a promotion or demotion shows in the next access token, and
        # a removed member's session ends here.
        membership = await uow.memberships.get(family.user_id)
        now = self._sessions.now()
        if membership is None:
            await uow.sessions.save_family(family.revoke(now, RevocationReason.MEMBERSHIP_ENDED))
            return None
        await uow.sessions.save_family(family.used(now))
        return await self._sessions.rotate(uow, family, parent=parent, role=membership.role)
