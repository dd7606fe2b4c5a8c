"""OAuth tokens at rest: sealed on save, opened on load, for the integrations context.

``seal_tokens`` and ``open_tokens`` work inside any unit of work that has an
``OAuthTokenRepository`` (the integrations one will, to save tokens in the same transaction as
its connection); ``OAuthTokenStore`` wraps them in their own transactions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import final
from uuid import UUID

from application.shared.ports import Clock
from application.shared.scope import Scope
from application.vault.ports import Vault, VaultUnitOfWork
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret
from domain.vault.oauth import OAuthTokens, SealedOAuthTokens, oauth_bindings


async def seal_tokens(
    vault: Vault, scope: Scope, connection_id: UUID, tokens: OAuthTokens, at: datetime
) -> SealedOAuthTokens:
    tenant_id, user_id = _owner(scope)
    access, refresh = oauth_bindings(tenant_id, user_id, connection_id)
    items = [(Secret(tokens.access_token.reveal().encode()), access)]
    if tokens.refresh_token is not None:
        items.append((Secret(tokens.refresh_token.reveal().encode()), refresh))
    sealed = await vault.seal_all(items)  # one key version for the row
    return SealedOAuthTokens(
        tenant_id=tenant_id,
        user_id=user_id,
        connection_id=connection_id,
        access=sealed[0],
        refresh=sealed[1] if len(sealed) > 1 else None,
        expires_at=tokens.expires_at,
        updated_at=at,
    )


async def open_tokens(vault: Vault, sealed: SealedOAuthTokens) -> OAuthTokens:
    """Raises ``CredentialUnreadable`` ("reconnect") if either token fails to open."""
    opened = [await vault.open(value, binding) for binding, value in sealed.sealed_values()]
    texts = [Secret(o.reveal().decode()) for o in opened]
    return OAuthTokens(
        access_token=texts[0],
        refresh_token=texts[1] if len(texts) > 1 else None,
        expires_at=sealed.expires_at,
    )


def _owner(scope: Scope) -> tuple[TenantId, UserId]:
    # Tokens are private to one user of one tenant: both must be in scope.
    if scope.tenant_id is None or scope.user_id is None:
        raise ScopeViolation()
    return scope.tenant_id, scope.user_id


@final
class OAuthTokenStore:
    def __init__(
        self, uow_for: Callable[[Scope], VaultUnitOfWork], vault: Vault, clock: Clock
    ) -> None:
        self._uow_for, self._vault, self._clock = uow_for, vault, clock

    async def save(self, scope: Scope, connection_id: UUID, tokens: OAuthTokens) -> None:
        sealed = await seal_tokens(self._vault, scope, connection_id, tokens, self._clock.now())
        async with self._uow_for(scope) as uow:
            await uow.oauth_tokens.put(sealed)
            await uow.commit()

    async def load(self, scope: Scope, connection_id: UUID) -> OAuthTokens | None:
        _owner(scope)
        async with self._uow_for(scope) as uow:
            sealed = await uow.oauth_tokens.get(connection_id)
        return None if sealed is None else await open_tokens(self._vault, sealed)

    async def delete(self, scope: Scope, connection_id: UUID) -> bool:
        _owner(scope)
        async with self._uow_for(scope) as uow:
            removed = await uow.oauth_tokens.remove(connection_id)
            await uow.commit()
        return removed
