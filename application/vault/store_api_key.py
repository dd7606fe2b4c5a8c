"""Seal and store a customer's API key for an integration (owners and admins)."""

from __future__ import annotations

from collections.abc import Callable
from typing import final

import msgspec

from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from application.vault.ports import Vault, VaultUnitOfWork
from domain.compliance.audit import AuditAction, AuditEntry
from domain.identity.errors import RoleRequired
from domain.shared.ids import new_id
from domain.shared.secret import Secret
from domain.vault.api_keys import (
    ApiKey,
    ApiKeySummary,
    api_key_binding,
    check_name,
    check_value,
    clean_purpose,
    hint_of,
)


class StoreApiKeyCommand(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    purpose: str
    value: Secret[str]


@final
class StoreApiKey:
    def __init__(
        self, uow_for: Callable[[Scope], VaultUnitOfWork], vault: Vault, clock: Clock
    ) -> None:
        self._uow_for, self._vault, self._clock = uow_for, vault, clock

    async def execute(self, actor: Actor, command: StoreApiKeyCommand) -> ApiKeySummary:
        if not actor.manages_members:
            raise RoleRequired()
        name, purpose = check_name(command.name), clean_purpose(command.purpose)
        value = check_value(command.value.reveal())
        # The record id exists before the row does, so the seal can be bound to it (R1.3).
        key_id = new_id()
        sealed = await self._vault.seal(
            Secret(value.encode()), api_key_binding(actor.tenant_id, key_id)
        )
        key = ApiKey(
            key_id=key_id,
            tenant_id=actor.tenant_id,
            name=name,
            purpose=purpose,
            hint=hint_of(value),
            sealed=sealed,
            created_by=actor.user_id,
            created_at=self._clock.now(),
        )
        async with self._uow_for(actor.scope) as uow:
            await uow.api_keys.put(key)
            # The name and id only: never the value, nor its hint.
            uow.audit.record(AuditEntry(
                action=AuditAction.API_KEY_CREATED, target_type="api_key",
                target_id=str(key_id), details={"name": name},
            ))  # fmt: skip
            await uow.commit()
        return key.summary()
