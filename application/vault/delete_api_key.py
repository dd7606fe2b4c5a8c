"""Remove a stored API key (owners and admins)."""

from __future__ import annotations

from collections.abc import Callable
from typing import final

from application.shared.actor import Actor
from application.shared.scope import Scope
from application.vault.ports import VaultUnitOfWork
from domain.compliance.audit import AuditAction, AuditEntry
from domain.identity.errors import RoleRequired
from domain.vault.api_keys import check_name
from domain.vault.errors import ApiKeyNotFound


@final
class DeleteApiKey:
    def __init__(self, uow_for: Callable[[Scope], VaultUnitOfWork]) -> None:
        self._uow_for = uow_for

    async def execute(self, actor: Actor, name: str) -> None:
        if not actor.manages_members:
            raise RoleRequired()
        async with self._uow_for(actor.scope) as uow:
            # Another tenant's key of the same name is invisible here: it answers 404 too.
            if not await uow.api_keys.remove(check_name(name)):
                raise ApiKeyNotFound()
            uow.audit.record(AuditEntry(
                action=AuditAction.API_KEY_DELETED, target_type="api_key",
                details={"name": check_name(name)},
            ))  # fmt: skip
            await uow.commit()
