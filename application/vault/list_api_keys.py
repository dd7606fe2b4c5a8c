"""The tenant's stored API keys: names, purposes and masked hints, never values."""

from __future__ import annotations

from collections.abc import Callable
from typing import final

from application.shared.actor import Actor
from application.shared.scope import Scope
from application.vault.ports import VaultUnitOfWork
from domain.identity.errors import RoleRequired
from domain.vault.api_keys import ApiKeySummary


@final
class ListApiKeys:
    def __init__(self, uow_for: Callable[[Scope], VaultUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, actor: Actor) -> list[ApiKeySummary]:
        if not actor.manages_members:
            raise RoleRequired()
        async with self._uow_for(actor.scope) as uow:
            return [key.summary() for key in await uow.api_keys.all()]
