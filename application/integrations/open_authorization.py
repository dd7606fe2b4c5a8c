"""The browser opens its start ticket: bind this browser to the flow, then go to the provider."""

from __future__ import annotations

from collections.abc import Callable
from typing import final

import msgspec

from application.integrations.ports import FlowSealer, IntegrationsUnitOfWork
from application.shared.ports import Clock
from application.shared.scope import Scope
from domain.integrations import flow
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret


class OpenedAuthorization(msgspec.Struct, frozen=True, kw_only=True):
    """Either where to send the browser (and the binding to set), or why not."""

    provider_url: Secret[str] | None = None
    binding: Secret[str] | None = None  # the browser-binding cookie's value
    refused: str | None = None  # a stable reason code


@final
class OpenAuthorization:
    def __init__(
        self, uow_for: Callable[[Scope], IntegrationsUnitOfWork], sealer: FlowSealer, clock: Clock
    ) -> None:
        self._uow_for, self._sealer, self._clock = uow_for, sealer, clock

    async def execute(self, ticket: str, browser: str | None) -> OpenedAuthorization:
        parsed = flow.read_scoped_secret(ticket)
        if parsed is None:
            return OpenedAuthorization(refused="ticket_invalid")
        tenant_id, user_id = TenantId(parsed.tenant_id), UserId(parsed.subject_id)
        binding = _binding_for(tenant_id, user_id, browser)
        async with self._uow_for(Scope(tenant_id=tenant_id, user_id=user_id)) as uow:
            pending = await uow.pending.open_ticket(
                flow.digest(ticket), flow.digest(binding), self._clock.now()
            )
            if pending is None:
                return OpenedAuthorization(refused="ticket_invalid")
            await uow.commit()
        context = flow.seal_context("authorize", pending.id)
        url = self._sealer.open(Secret(ticket), context, pending.sealed_authorization)
        if url is None:
            return OpenedAuthorization(refused="ticket_invalid")
        return OpenedAuthorization(provider_url=url, binding=Secret(binding))


def _binding_for(tenant_id: TenantId, user_id: UserId, browser: str | None) -> str:
    """One binding per browser and user: flows started side by side in one browser share it."""
    current = flow.read_scoped_secret(browser)
    if current is not None and (current.tenant_id, current.subject_id) == (tenant_id, user_id):
        return current.value
    return flow.new_scoped_secret(tenant_id, user_id)
