"""Begin connecting a provider (or reconnecting a connection): state, PKCE, a start ticket."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import final
from uuid import UUID

import msgspec

from application.integrations.directory import Provider, ProviderDirectory
from application.integrations.ports import FlowSealer, IntegrationsUnitOfWork, VerifiedEmails
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.identity.errors import RoleRequired
from domain.integrations import flow, pkce
from domain.integrations.errors import ConnectionNotFound
from domain.shared.ids import new_id
from domain.shared.secret import Secret


class StartConnectionCommand(msgspec.Struct, frozen=True, kw_only=True):
    provider: str | None = None
    subdomain: str | None = None
    reconnect: UUID | None = None  # an existing connection keeps its id


class StartedConnection(msgspec.Struct, frozen=True, kw_only=True):
    connection_id: UUID
    provider: str
    start_ticket: Secret[str]  # opened in the browser at /api/v1/oauth/start/<ticket>
    provider_authorization_url: str
    expires_at: datetime


@final
class StartConnection:
    def __init__(
        self,
        uow_for: Callable[[Scope], IntegrationsUnitOfWork],
        providers: ProviderDirectory,
        sealer: FlowSealer,
        clock: Clock,
        verified_emails: VerifiedEmails,
    ) -> None:
        self._uow_for, self._providers = uow_for, providers
        self._sealer, self._clock = sealer, clock
        self._verified_emails = verified_emails

    async def execute(self, actor: Actor, command: StartConnectionCommand) -> StartedConnection:
        if not actor.role.connects_sources:
            raise RoleRequired()
        # A connection reads someone's tools in their name: only once their address is proven.
        await self._verified_emails.require(actor)
        now = self._clock.now()
        async with self._uow_for(actor.scope) as uow:
            connection_id, provider = await self._target(uow, command)
            pending, ticket, url = self._pending(actor, connection_id, provider, command, now)
            await uow.pending.forget_expired(now - flow.STATE_TTL)
            await uow.pending.add(pending)
            await uow.commit()
        return StartedConnection(
            connection_id=connection_id,
            provider=provider.key,
            start_ticket=ticket,
            provider_authorization_url=url,
            expires_at=pending.ticket_expires_at,
        )

    async def _target(
        self, uow: IntegrationsUnitOfWork, command: StartConnectionCommand
    ) -> tuple[UUID, Provider]:
        if command.reconnect is None:
            return new_id(), self._providers.resolve(command.provider or "", command.subdomain)
        existing = await uow.connections.get(command.reconnect)
        if existing is None:
            raise ConnectionNotFound(connection_id=str(command.reconnect))
        return existing.id, self._providers.resolve(existing.provider, existing.subdomain)

    def _pending(
        self,
        actor: Actor,
        connection_id: UUID,
        provider: Provider,
        command: StartConnectionCommand,
        now: datetime,
    ) -> tuple[flow.PendingGrant, Secret[str], str]:
        spec, pending_id = provider.spec, new_id()
        state = Secret(flow.new_state())
        ticket = Secret(flow.new_scoped_secret(actor.tenant_id, actor.user_id))
        verifier = Secret(pkce.new_verifier()) if spec.pkce else None
        url = flow.authorization_url(
            spec,
            client_id=provider.client.client_id,
            redirect_uri=provider.redirect_uri,
            state=state.reveal(),
            challenge=pkce.challenge(verifier.reveal()) if verifier else None,
        )
        sealed_verifier = None
        if verifier is not None:
            context = flow.seal_context("pkce", pending_id)
            sealed_verifier = self._sealer.seal(state, context, verifier)
        pending = flow.PendingGrant(
            id=pending_id,
            tenant_id=actor.tenant_id,
            user_id=actor.user_id,
            connection_id=connection_id,
            reconnect=command.reconnect is not None,
            provider=spec.key,
            platform=spec.platform,
            subdomain=provider.subdomain,
            scopes=spec.scopes,
            redirect_uri=provider.redirect_uri,
            state_hash=flow.digest(state.reveal()),
            ticket_hash=flow.digest(ticket.reveal()),
            sealed_authorization=self._sealer.seal(
                ticket, flow.seal_context("authorize", pending_id), Secret(url)
            ),
            sealed_verifier=sealed_verifier,
            created_at=now,
            ticket_expires_at=now + flow.TICKET_TTL,
            expires_at=now + flow.STATE_TTL,
        )
        return pending, ticket, url
