"""The provider sends the browser back: check state, browser and issuer, redeem the code,
seal the tokens and activate the connection in one transaction. Every refusal is an outcome
with a stable reason, and leaves no connection and no token behind."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import final

import msgspec

from application.feed import announce
from application.integrations.directory import Provider, ProviderDirectory
from application.integrations.ports import FlowSealer, IntegrationsUnitOfWork, ProviderClient
from application.shared.ports import Clock
from application.shared.scope import Scope
from application.vault.oauth_tokens import seal_tokens
from application.vault.ports import Vault
from domain.compliance.audit import AuditAction, AuditEntry
from domain.integrations import flow
from domain.integrations.connection import Connection
from domain.integrations.errors import (
    DeadGrant,
    ProviderNotConfigured,
    ProviderRefused,
    ProviderTransient,
)
from domain.integrations.flow import CallbackOutcome, PendingGrant, connected, failed
from domain.integrations.grant import TokenGrant
from domain.shared.errors import DomainError
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret

log = logging.getLogger("atlas.integrations")


class Callback(msgspec.Struct, frozen=True, kw_only=True):
    """The callback's query and the browser binding cookie; every field may be missing."""

    platform: str
    state: Secret[str] | None = None
    code: Secret[str] | None = None
    error: str | None = None
    iss: str | None = None
    browser: Secret[str] | None = None


@final
class CompleteConnection:
    def __init__(
        self,
        *,
        uow_for: Callable[[Scope], IntegrationsUnitOfWork],
        providers: ProviderDirectory,
        client: ProviderClient,
        sealer: FlowSealer,
        vault: Vault,
        clock: Clock,
    ) -> None:
        self._uow_for, self._providers, self._client = uow_for, providers, client
        self._sealer, self._vault, self._clock = sealer, vault, clock

    async def execute(self, callback: Callback) -> CallbackOutcome:
        if not callback.state:
            return failed("state_missing")
        binding = flow.read_scoped_secret(callback.browser.reveal() if callback.browser else None)
        if binding is None:
            return failed("session_missing")
        scope = Scope(tenant_id=TenantId(binding.tenant_id), user_id=UserId(binding.subject_id))
        pending_or_reason = await self._consume(scope, callback, binding.value)
        if isinstance(pending_or_reason, str):
            return failed(pending_or_reason)
        pending = pending_or_reason
        try:
            return await self._complete(scope, pending, callback)
        except DomainError as error:  # storage or vault trouble after the exchange
            log.error("connection %s could not be stored: %s", pending.connection_id, error.code)
            return failed("storage_failed", pending.connection_id)

    async def _consume(self, scope: Scope, callback: Callback, binding: str) -> PendingGrant | str:
        """The state, used up now; or why it cannot be used (it is never burnt by a stranger)."""
        if callback.state is None:
            return "state_missing"
        state_hash, now = flow.digest(callback.state.reveal()), self._clock.now()
        async with self._uow_for(scope) as uow:
            pending = await uow.pending.consume(
                state_hash, flow.digest(binding), callback.platform, now
            )
            if pending is not None:
                await uow.commit()
                return pending
            stored = await uow.pending.find(state_hash)
        return _refusal(stored, callback.platform, now)

    async def _complete(
        self, scope: Scope, pending: PendingGrant, callback: Callback
    ) -> CallbackOutcome:
        cid = pending.connection_id
        provider = self._answering(pending, callback)
        if isinstance(provider, str):
            return failed(provider, cid)
        grant = await self._exchange(provider, pending, callback)
        if isinstance(grant, str):
            return failed(grant, cid)
        if set(pending.scopes) - set(grant.account(pending.scopes).scopes):
            await self._give_back(provider, grant)
            return failed("scopes_missing", cid)
        await self._store(scope, pending, grant)
        return connected(cid)

    def _answering(self, pending: PendingGrant, callback: Callback) -> Provider | str:
        """The provider, if its answer is a code we may redeem; else why not."""
        if callback.error is not None:
            return "access_denied" if callback.error == "access_denied" else "provider_error"
        try:
            provider = self._providers.resolve(pending.provider, pending.subdomain)
        except ProviderNotConfigured:  # its OAuth client was removed since the start
            return "provider_unavailable"
        issuer = provider.spec.issuer
        if issuer is not None and callback.iss != issuer:
            return "issuer_mismatch"  # RFC 9207: a mix-up, or a forged response
        return provider if callback.code else "code_missing"

    async def _exchange(
        self, provider: Provider, pending: PendingGrant, callback: Callback
    ) -> TokenGrant | str:
        if callback.code is None or callback.state is None:
            return "code_missing"
        verifier = None
        if pending.sealed_verifier is not None:
            context = flow.seal_context("pkce", pending.id)
            verifier = self._sealer.open(callback.state, context, pending.sealed_verifier)
            if verifier is None:
                return "state_unknown"
        try:
            return await self._client.exchange(provider, callback.code, verifier)
        except (DeadGrant, ProviderRefused) as refused:
            log.warning("code exchange refused by %s: %s", provider.key, refused.reason)
            return "exchange_refused"
        except ProviderTransient as down:
            log.warning("code exchange with %s failed: %s", provider.key, down.reason)
            return "provider_unavailable"

    async def _give_back(self, provider: Provider, grant: TokenGrant) -> None:
        try:
            await self._client.revoke(provider, grant.tokens(self._clock.now()))
        except (DeadGrant, ProviderRefused, ProviderTransient) as error:
            log.warning("returning a partial grant to %s failed: %s", provider.key, error.reason)

    async def _store(self, scope: Scope, pending: PendingGrant, grant: TokenGrant) -> None:
        now = self._clock.now()
        account = grant.account(pending.scopes)
        sealed = await seal_tokens(
            self._vault, scope, pending.connection_id, grant.tokens(now), now
        )
        async with self._uow_for(scope) as uow:
            existing = await uow.connections.get(pending.connection_id)
            if existing is not None:
                connection = existing.activated(requested=pending.scopes, account=account, at=now)
            else:
                connection = Connection.granted(
                    id=pending.connection_id,
                    tenant_id=pending.tenant_id,
                    user_id=pending.user_id,
                    provider=pending.provider,
                    subdomain=pending.subdomain,
                    requested=pending.scopes,
                    account=account,
                    at=now,
                )
            # One transaction: the connection is active exactly when its tokens are stored.
            await uow.connections.save(connection)
            await uow.oauth_tokens.put(sealed)
            uow.events.announce(announce.connection_status(connection))
            uow.audit.record(AuditEntry(
                action=AuditAction.CONNECTION_MADE, target_type="connection",
                target_id=str(connection.id), details={"provider": connection.provider},
            ))  # fmt: skip
            await uow.commit()


def _refusal(stored: PendingGrant | None, platform: str, now: datetime) -> str:
    """Why a state could not be used; a stranger's attempt never burns it."""
    if stored is None:
        return "state_unknown"  # never issued, or issued to another user or tenant
    if stored.consumed_at is not None:
        return "state_reused"
    if stored.expires_at <= now:
        return "state_expired"
    if stored.platform != platform:
        return "platform_mismatch"
    return "session_mismatch"  # another browser (or the start link was never opened)
