"""The signed-in member opens their start ticket: bind this browser to the flow, then go on.

A start ticket alone is not enough to connect: whoever followed a link to it would connect *their*
provider account into the tenant of the person who started (account linking). So the ticket is
opened only by an authenticated request of the member who started it, in their tenant; the
answer binds the browser that made that request (a cookie the callback must present). A ticket
presented by anyone else stores nothing: it stays unused for its owner.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import final

import msgspec

from application.integrations.ports import FlowSealer, IntegrationsUnitOfWork
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.identity.errors import RoleRequired
from domain.integrations import flow
from domain.integrations.errors import StartLinkInvalid, StartLinkNotYours
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret


class OpenedAuthorization(msgspec.Struct, frozen=True, kw_only=True):
    """Where to send the browser, the binding cookie to set first, and for which provider."""

    provider_url: Secret[str]
    binding: Secret[str]  # the browser-binding cookie's value
    provider: str
    connection_id: str


@final
class OpenAuthorization:
    def __init__(
        self, uow_for: Callable[[Scope], IntegrationsUnitOfWork], sealer: FlowSealer, clock: Clock
    ) -> None:
        self._uow_for, self._sealer, self._clock = uow_for, sealer, clock

    async def execute(self, actor: Actor, ticket: str, browser: str | None) -> OpenedAuthorization:
        parsed = flow.read_scoped_secret(ticket)
        if parsed is None:
            raise StartLinkInvalid()
        if (parsed.tenant_id, parsed.subject_id) != (actor.tenant_id, actor.user_id):
            raise StartLinkNotYours()
        if not actor.role.connects_sources:  # demoted since starting
            raise RoleRequired()
        binding = _binding_for(actor.tenant_id, actor.user_id, browser)
        async with self._uow_for(actor.scope) as uow:
            pending = await uow.pending.open_ticket(
                flow.digest(ticket), flow.digest(binding), self._clock.now()
            )
            if pending is None:
                raise StartLinkInvalid()
            await uow.commit()
        context = flow.seal_context("authorize", pending.id)
        url = self._sealer.open(Secret(ticket), context, pending.sealed_authorization)
        if url is None:
            raise StartLinkInvalid()
        return OpenedAuthorization(
            provider_url=url,
            binding=Secret(binding),
            provider=pending.provider,
            connection_id=str(pending.connection_id),
        )


def _binding_for(tenant_id: TenantId, user_id: UserId, browser: str | None) -> str:
    """One binding per browser and user: flows started side by side in one browser share it."""
    current = flow.read_scoped_secret(browser)
    if current is not None and (current.tenant_id, current.subject_id) == (tenant_id, user_id):
        return current.value
    return flow.new_scoped_secret(tenant_id, user_id)
