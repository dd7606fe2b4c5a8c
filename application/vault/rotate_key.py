"""Add a key version that becomes the sealing key; the previous one stays readable."""

from __future__ import annotations

from typing import final

from application.vault.ports import KeyRing
from domain.vault.model import KeyVersion


@final
class RotateVaultKey:
    def __init__(self, keyring: KeyRing) -> None:
        self._keyring = keyring

    async def execute(self, *, iterations: int | None = None) -> KeyVersion:
        return await self._keyring.rotate(iterations=iterations)
