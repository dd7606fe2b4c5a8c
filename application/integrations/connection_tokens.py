"""Hand out a valid access token, refreshing single-flight across every process.

providers.md §3, rules 2-6, as its refresh sequence says: no lock while more than 5 minutes
remain; otherwise lock the connection's row (with a lock timeout longer than the token
endpoint's timeout), re-read (whoever waited uses the token the winner stored), refresh, and
save the new access token, its expiry and a rotated refresh token (else the old one) in the
same transaction. A dead grant marks the connection ``needs_reauth`` and is never retried; a
transient failure sets a cooldown that every caller, in any process, fails fast on.

The provider call has a total deadline (the token endpoint's timeout, shorter than the lock's):
a provider that never finishes answering ends as a transient failure, i.e. the cooldown. In
one process the callers of a connection share one refresh and only a few refreshes hold a
database connection at once (``RefreshFlights``): a hung provider pins at most that many.
Lock order, everywhere both rows are locked: the connection's row, then its token row.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import NoReturn, final
from uuid import UUID

import msgspec

from application.feed import announce
from application.integrations.directory import ProviderDirectory
from application.integrations.ports import (
    IntegrationsUnitOfWork,
    ProviderClient,
    ReauthNotices,
)
from application.integrations.refresh_flights import RefreshFlights
from application.shared.metrics import Metrics, NoMetrics
from application.shared.ports import Clock
from application.shared.scope import Scope
from application.vault.oauth_tokens import open_tokens, seal_tokens
from application.vault.ports import Vault
from domain.compliance.audit import AuditAction, AuditEntry, Outcome
from domain.integrations.connection import Connection, ConnectionStatus
from domain.integrations.errors import (
    ConnectionNeedsReauth,
    ConnectionNotFound,
    ConnectionRevoked,
    DeadGrant,
    ProviderRefused,
    ProviderTransient,
    RefreshUnavailable,
)
from domain.integrations.retry import cooldown_seconds
from domain.shared.secret import Secret
from domain.vault.oauth import OAuthTokens, SealedOAuthTokens

log = logging.getLogger("atlas.integrations")


class RefreshPolicy(msgspec.Struct, frozen=True, kw_only=True):
    margin: timedelta = timedelta(minutes=5)
    lock_timeout_seconds: float = 30.0  # longer than the token endpoint's timeout (rule 3)
    # Refreshes of one process holding a pooled database connection at once: well under the
    # production pool (10 + 10 overflow, adapters/postgres/engine.py) so syncs keep theirs.
    concurrent_refreshes: int = 4


class AccessGrant(msgspec.Struct, frozen=True, kw_only=True):
    connection_id: UUID
    provider: str
    access_token: Secret[str]
    expires_at: datetime | None
    api_base: str  # where this connection's API calls go (Salesforce: its instance_url)


@final
class ConnectionTokens:
    def __init__(
        self,
        *,
        uow_for: Callable[[Scope], IntegrationsUnitOfWork],
        vault: Vault,
        providers: ProviderDirectory,
        client: ProviderClient,
        notices: ReauthNotices,
        clock: Clock,
        policy: RefreshPolicy | None = None,
        rng: random.Random | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._uow_for, self._vault, self._providers = uow_for, vault, providers
        self._metrics = metrics or NoMetrics()
        self._client, self._notices, self._clock = client, notices, clock
        self._policy = policy or RefreshPolicy()
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self._flights = RefreshFlights[AccessGrant](
            slots=self._policy.concurrent_refreshes,
            wait_seconds=self._policy.lock_timeout_seconds,
        )

    async def access_token(self, scope: Scope, connection_id: UUID) -> AccessGrant:
        """A token with more than 5 minutes to live (or no announced expiry)."""
        async with self._uow_for(scope) as uow:
            connection = await uow.connections.get(connection_id)
            sealed = await uow.oauth_tokens.get(connection_id)
        connection, sealed = _usable(connection, sealed, connection_id)
        tokens = await open_tokens(self._vault, sealed)
        if self._fresh(tokens):
            return self._grant(connection, tokens)
        _cooling(connection, self._clock.now())  # fail fast, without queueing for the lock
        return await self._refresh(scope, connection_id, rejected=None)

    async def renew(self, scope: Scope, connection_id: UUID, rejected: Secret[str]) -> AccessGrant:
        """The provider refused ``rejected`` (Salesforce's 401 ``INVALID_SESSION_ID``): refresh
        through the same lock, unless someone already replaced that token."""
        return await self._refresh(scope, connection_id, rejected=rejected)

    async def reject(self, scope: Scope, connection_id: UUID, reason: str) -> NoReturn:
        """The provider refuses the grant although its token is fresh (Slack's
        ``invalid_auth``, a 401 right after a renewal): the connection needs reauthorisation.
        Raises ``ConnectionNeedsReauth`` (the owner is noticed once)."""
        async with self._uow_for(scope) as uow:
            connection = await uow.connections.get(connection_id)
            if connection is not None and connection.usable:
                await self._dead(uow, connection, reason, self._clock.now())
        raise ConnectionNeedsReauth(connection_id=str(connection_id))

    def _fresh(self, tokens: OAuthTokens) -> bool:
        expires = tokens.expires_at
        return expires is None or expires - self._clock.now() > self._policy.margin

    async def _refresh(
        self, scope: Scope, connection_id: UUID, rejected: Secret[str] | None
    ) -> AccessGrant:
        key = (scope, connection_id)  # never another scope's flight: its token is not ours
        fly = partial(self._locked, scope, connection_id, rejected)
        grant = await self._flights.join(key, fly)
        if rejected is not None and grant.access_token == rejected:
            # The flight joined began before this token was refused: one more, past it.
            grant = await self._flights.join(key, fly)
        return grant

    async def _locked(
        self, scope: Scope, connection_id: UUID, rejected: Secret[str] | None
    ) -> AccessGrant:
        async with self._uow_for(scope) as uow:
            # Lock order: the connection's row first, its token row after (put, below), as
            # in DisconnectConnection: the opposite order in one of them deadlocks the two.
            await uow.locks.hold(connection_id, self._policy.lock_timeout_seconds)
            await uow.reread()  # see what the winner committed while we waited
            connection, sealed = _usable(
                await uow.connections.get(connection_id),
                await uow.oauth_tokens.get(connection_id),
                connection_id,
            )
            tokens = await open_tokens(self._vault, sealed)
            if rejected is None and self._fresh(tokens):
                return self._grant(connection, tokens)  # another caller refreshed it
            if rejected is not None and tokens.access_token != rejected:
                return self._grant(connection, tokens)
            _cooling(connection, self._clock.now())
            return await self._call(uow, scope, connection, tokens)

    async def _call(
        self,
        uow: IntegrationsUnitOfWork,
        scope: Scope,
        connection: Connection,
        tokens: OAuthTokens,
    ) -> AccessGrant:
        now, refresh_token = self._clock.now(), tokens.refresh_token
        if refresh_token is None:
            await self._dead(uow, connection, "no_refresh_token", now)
        provider = self._providers.resolve(connection.provider, connection.subdomain)
        try:
            grant = await self._client.refresh(provider, refresh_token)
            self._metrics.token_refreshed(connection.provider, "refreshed")
        except DeadGrant as dead:
            self._metrics.token_refreshed(connection.provider, "dead")
            await self._dead(uow, connection, dead.reason, now)
        except (ProviderTransient, ProviderRefused) as error:
            outcome = "refused" if isinstance(error, ProviderRefused) else "unavailable"
            self._metrics.token_refreshed(connection.provider, outcome)
            if isinstance(error, ProviderRefused) and error.misconfigured:
                log.error("%s refused our OAuth client: %s", provider.key, error.reason)
            await self._cool_down(uow, connection, error, now)
        fresh = grant.tokens(now, tokens)
        sealed = await seal_tokens(self._vault, scope, connection.id, fresh, now)
        await uow.oauth_tokens.put(sealed)
        refreshed = connection.refreshed(now, grant.instance_url)
        await uow.connections.save(refreshed)
        if refreshed.status is not connection.status:
            uow.events.announce(announce.connection_status(refreshed))
        await uow.commit()
        return self._grant(refreshed, fresh)

    async def _dead(
        self, uow: IntegrationsUnitOfWork, connection: Connection, reason: str, now: datetime
    ) -> NoReturn:
        dead = connection.needs_reauth(reason, now)
        await uow.connections.save(dead)
        if dead.status is not connection.status:
            uow.events.announce(announce.connection_status(dead))
            uow.audit.record(AuditEntry(
                action=AuditAction.CONNECTION_NEEDS_REAUTH, target_type="connection",
                target_id=str(connection.id), outcome=Outcome.FAILURE,
                details={"provider": connection.provider, "reason": reason[:100]},
            ))  # fmt: skip
        await uow.commit()
        if dead.first_notice(connection):
            self._notices.needs_reauth(dead)
        raise ConnectionNeedsReauth(connection_id=str(connection.id))

    async def _cool_down(
        self,
        uow: IntegrationsUnitOfWork,
        connection: Connection,
        error: ProviderTransient | ProviderRefused,
        now: datetime,
    ) -> NoReturn:
        wait = cooldown_seconds(connection.failure_count + 1, error.retry_after_seconds, self._rng)
        cooled = connection.failed(error.reason, now, now + timedelta(seconds=wait))
        await uow.connections.save(cooled)
        if cooled.status is not connection.status:
            uow.events.announce(announce.connection_status(cooled))
        await uow.commit()
        raise RefreshUnavailable(retry_after=math.ceil(wait), reason=error.reason)

    def _grant(self, connection: Connection, tokens: OAuthTokens) -> AccessGrant:
        spec = self._providers.placed(connection.provider, connection.subdomain)
        return AccessGrant(
            connection_id=connection.id,
            provider=connection.provider,
            access_token=tokens.access_token,
            expires_at=tokens.expires_at,
            api_base=connection.instance_url or spec.api_base,
        )


def _usable(
    connection: Connection | None, sealed: SealedOAuthTokens | None, connection_id: UUID
) -> tuple[Connection, SealedOAuthTokens]:
    if connection is None:
        raise ConnectionNotFound(connection_id=str(connection_id))
    if connection.status is ConnectionStatus.NEEDS_REAUTH:
        raise ConnectionNeedsReauth(connection_id=str(connection_id))
    if connection.status is ConnectionStatus.REVOKED or sealed is None:
        raise ConnectionRevoked(connection_id=str(connection_id))
    return connection, sealed


def _cooling(connection: Connection, now: datetime) -> None:
    if connection.retry_not_before is not None and connection.retry_not_before > now:
        wait = math.ceil((connection.retry_not_before - now).total_seconds())
        raise RefreshUnavailable(retry_after=max(1, wait), reason=connection.last_error)
