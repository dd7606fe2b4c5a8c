"""OAuth tokens of one connection: plaintext only in memory, sealed together at rest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import msgspec

from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret
from domain.vault.model import Binding, Purpose, SealedValue


class OAuthTokens(msgspec.Struct, frozen=True, kw_only=True):
    access_token: Secret[str]
    refresh_token: Secret[str] | None = None
    expires_at: datetime | None = None


class SealedOAuthTokens(msgspec.Struct, frozen=True, kw_only=True):
    """The stored row: private to one user of one tenant, keyed by the connection.

    Both tokens are sealed under one key version, so the row has one ``key_version``.
    """

    tenant_id: TenantId
    user_id: UserId
    connection_id: UUID
    access: SealedValue
    refresh: SealedValue | None
    expires_at: datetime | None
    updated_at: datetime

    @property
    def record_id(self) -> UUID:
        return self.connection_id

    @property
    def key_version(self) -> int:
        return self.access.key_version

    def bindings(self) -> tuple[Binding, Binding]:
        return oauth_bindings(self.tenant_id, self.user_id, self.connection_id)

    def sealed_values(self) -> tuple[tuple[Binding, SealedValue], ...]:
        access, refresh = self.bindings()
        values = ((access, self.access),)
        return values if self.refresh is None else (*values, (refresh, self.refresh))

    def resealed(self, values: Sequence[SealedValue]) -> SealedOAuthTokens:
        access, *rest = values
        return msgspec.structs.replace(self, access=access, refresh=rest[0] if rest else None)


def oauth_bindings(
    tenant_id: TenantId, user_id: UserId, connection_id: UUID
) -> tuple[Binding, Binding]:
    def bound(purpose: Purpose) -> Binding:
        return Binding(
            tenant_id=tenant_id, user_id=user_id, purpose=purpose, record_id=connection_id
        )

    return bound(Purpose.OAUTH_ACCESS), bound(Purpose.OAUTH_REFRESH)
