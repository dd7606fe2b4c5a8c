"""Sign-in sessions: refresh-token families, the tokens in them, and security events.

A family is one sign-in in one tenant. Each refresh uses its token once and issues the next
one; presenting a used token again means two parties hold the same token, so the whole family
is revoked (RFC 9700 §4.14). The one exception is a short window for the immediately previous
token, because two requests racing from one client are not an attack (see ``reuse_allowed``).
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from domain.shared.ids import TenantId, UserId


class SessionPolicy(msgspec.Struct, frozen=True, kw_only=True):
    access_token_lifetime: timedelta
    idle_timeout: timedelta  # a family unused this long is over
    absolute_lifetime: timedelta  # from sign-in; rotation never extends it
    reuse_window: timedelta  # grace for the immediately previous token only (≤ 30 s)


class RevocationReason(enum.StrEnum):
    LOGOUT = "logout"
    LOGOUT_ALL = "logout_all"
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a name, not a password
    REUSE_DETECTED = "reuse_detected"
    MEMBERSHIP_ENDED = "membership_ended"
    SWITCHED_TENANT = "switched_tenant"


class RefreshFamily(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: TenantId
    user_id: UserId
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime  # absolute
    revoked_at: datetime | None = None
    revoked_reason: RevocationReason | None = None

    @classmethod
    def start(
        cls, *, id: UUID, tenant_id: TenantId, user_id: UserId, at: datetime, policy: SessionPolicy
    ) -> RefreshFamily:
        return cls(
            id=id,
            tenant_id=tenant_id,
            user_id=user_id,
            created_at=at,
            last_used_at=at,
            expires_at=at + policy.absolute_lifetime,
        )

    def active(self, at: datetime, policy: SessionPolicy) -> bool:
        return (
            self.revoked_at is None
            and at < self.expires_at
            and at < self.last_used_at + policy.idle_timeout
        )

    def used(self, at: datetime) -> RefreshFamily:
        return msgspec.structs.replace(self, last_used_at=max(at, self.last_used_at))

    def revoke(self, at: datetime, reason: RevocationReason) -> RefreshFamily:
        if self.revoked_at is not None:
            return self
        return msgspec.structs.replace(self, revoked_at=at, revoked_reason=reason)


class RefreshTokenState(enum.StrEnum):
    UNUSED = "unused"
    ROTATED = "rotated"  # used once, to get the next token
    SUPERSEDED = "superseded"  # a sibling was rotated first; this one may never be used


class RefreshTokenRecord(msgspec.Struct, frozen=True, kw_only=True):
    """What the store keeps of a refresh token: its digest, never the token."""

    digest: bytes
    tenant_id: TenantId
    user_id: UserId
    family_id: UUID
    parent_digest: bytes | None
    issued_at: datetime
    used_at: datetime | None = None
    state: RefreshTokenState = RefreshTokenState.UNUSED


def reuse_allowed(
    presented: RefreshTokenRecord,
    children: list[RefreshTokenRecord],
    *,
    at: datetime,
    policy: SessionPolicy,
) -> bool:
    """May an already-used token still be exchanged? Only in one narrow case.

    The token was rotated (not superseded) less than ``reuse_window`` ago, and none of the
    tokens it was exchanged for has been used since: it is the immediately previous token, and
    the caller is most likely a second tab racing the first. A token two rotations back, or
    the previous one once the window has passed, is a replay.
    """
    return (
        presented.state is RefreshTokenState.ROTATED
        and presented.used_at is not None
        and at - presented.used_at <= policy.reuse_window
        and bool(children)
        and all(child.state is RefreshTokenState.UNUSED for child in children)
    )


class SecurityEventKind(enum.StrEnum):
    REFRESH_TOKEN_REUSED = "refresh_token_reused"  # noqa: S105 - an event kind
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 - a name, not a password


class SecurityEvent(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: TenantId
    user_id: UserId
    kind: SecurityEventKind
    family_id: UUID | None
    client_address: str | None
    user_agent: str | None
    occurred_at: datetime
