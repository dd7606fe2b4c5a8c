"""A connection: one user's grant to one provider, and its lifecycle.

active ──(invalid_grant, missing scope)──▶ needs_reauth ──(reconnect)──▶ active
   └──(transient failures)──▶ error ──(refresh succeeds)──▶ active
any ──(disconnect)──▶ revoked (final; a reconnect starts a new grant under the same id)
"""

from __future__ import annotations

import enum
from datetime import datetime
from uuid import UUID

import msgspec

from domain.shared.ids import TenantId, UserId


class ConnectionStatus(enum.StrEnum):
    PENDING = "pending"  # authorisation started, no tokens yet
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth"
    REVOKED = "revoked"
    ERROR = "error"


class Connection(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: TenantId
    user_id: UserId
    provider: str
    status: ConnectionStatus
    scopes_requested: tuple[str, ...]
    scopes_granted: tuple[str, ...] = ()
    external_account: str | None = None
    needs_review: bool = False  # the grant is broader than requested
    created_at: datetime
    updated_at: datetime
    last_refresh_at: datetime | None = None
    last_error: str | None = None
    failure_count: int = 0
    retry_not_before: datetime | None = None  # cooldown after transient refresh failures

    def activated(
        self, *, granted: tuple[str, ...], external_account: str | None, at: datetime
    ) -> Connection:
        extra = set(granted) - set(self.scopes_requested)
        return msgspec.structs.replace(
            self,
            status=ConnectionStatus.ACTIVE,
            scopes_granted=granted,
            external_account=external_account,
            needs_review=bool(extra),
            updated_at=at,
            last_refresh_at=at,
            last_error=None,
            failure_count=0,
            retry_not_before=None,
        )

    def missing_scopes(self, granted: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(s for s in self.scopes_requested if s not in set(granted))

    def refreshed(self, at: datetime) -> Connection:
        return msgspec.structs.replace(
            self,
            status=ConnectionStatus.ACTIVE,
            last_refresh_at=at,
            updated_at=at,
            last_error=None,
            failure_count=0,
            retry_not_before=None,
        )

    def needs_reauth(self, reason: str, at: datetime) -> Connection:
        return msgspec.structs.replace(
            self,
            status=ConnectionStatus.NEEDS_REAUTH,
            last_error=reason,
            updated_at=at,
            retry_not_before=None,
        )

    def failed(self, reason: str, at: datetime, retry_not_before: datetime) -> Connection:
        """A transient failure: keep the grant, cool down before the next refresh attempt."""
        return msgspec.structs.replace(
            self,
            status=ConnectionStatus.ERROR,
            last_error=reason,
            updated_at=at,
            failure_count=self.failure_count + 1,
            retry_not_before=retry_not_before,
        )

    def revoked(self, at: datetime) -> Connection:
        return msgspec.structs.replace(self, status=ConnectionStatus.REVOKED, updated_at=at)

    def reconnecting(self, *, scopes: tuple[str, ...], at: datetime) -> Connection:
        return msgspec.structs.replace(
            self, status=ConnectionStatus.PENDING, scopes_requested=scopes, updated_at=at
        )
