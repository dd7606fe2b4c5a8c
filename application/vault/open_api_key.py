"""The plaintext of a stored API key, for the integration that calls the provider with it.

Never reachable over HTTP: the value leaves the vault only towards the provider it is for.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import final

from application.shared.scope import Scope
from application.vault.ports import Vault, VaultUnitOfWork
from domain.shared.errors import ScopeViolation
from domain.shared.secret import Secret
from domain.vault.errors import ApiKeyNotFound


@final
class OpenApiKey:
    def __init__(self, uow_for: Callable[[Scope], VaultUnitOfWork], vault: Vault) -> None:
        self._uow_for, self._vault = uow_for, vault

    async def execute(self, scope: Scope, name: str) -> Secret[str]:
        if scope.tenant_id is None:
            raise ScopeViolation()
        async with self._uow_for(scope) as uow:
            key = await uow.api_keys.get(name)
        if key is None:
            raise ApiKeyNotFound()
        ((binding, sealed),) = key.sealed_values()
        opened = await self._vault.open(sealed, binding)
        return Secret(opened.reveal().decode())
