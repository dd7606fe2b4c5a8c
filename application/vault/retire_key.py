"""Retire a key version once nothing is sealed under it any more."""

from __future__ import annotations

from typing import final

from application.vault.ports import KeyRing, KeyVersionRepository
from domain.vault.errors import KeyVersionActive, KeyVersionInUse, KeyVersionNotFound
from domain.vault.model import KeyState, KeyVersion


@final
class RetireVaultKey:
    def __init__(self, keyring: KeyRing, key_versions: KeyVersionRepository) -> None:
        self._keyring, self._key_versions = keyring, key_versions

    async def execute(self, version: int) -> KeyVersion:
        target = next((v for v in await self._keyring.versions() if v.version == version), None)
        if target is None:
            raise KeyVersionNotFound(version=version)
        if target.state is KeyState.ACTIVE:
            raise KeyVersionActive(version=version)
        # Counted first for a useful answer; the database's foreign keys make the final call,
        # so a value sealed under this version a moment later still blocks the retirement.
        usage = await self._key_versions.usage(version)
        if usage:
            raise KeyVersionInUse(
                version=version, values=sum(s.values for s in usage), scopes=len(usage)
            )
        return await self._keyring.retire(version)
