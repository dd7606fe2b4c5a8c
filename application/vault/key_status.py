"""Every key version, its state and encryption count, and what is still sealed under it."""

from __future__ import annotations

from typing import final

import msgspec

from application.vault.ports import KeyRing, KeyVersionRepository
from domain.vault.model import KeyVersion, SealedScope


class KeyVersionStatus(msgspec.Struct, frozen=True, kw_only=True):
    version: KeyVersion
    usage: list[SealedScope]

    @property
    def values(self) -> int:
        return sum(scope.values for scope in self.usage)


@final
class ShowVaultKeys:
    def __init__(self, keyring: KeyRing, key_versions: KeyVersionRepository) -> None:
        self._keyring, self._key_versions = keyring, key_versions

    async def execute(self) -> list[KeyVersionStatus]:
        return [
            KeyVersionStatus(
                version=version,
                # A retired version is referenced by nothing: the foreign keys saw to that.
                usage=await self._key_versions.usage(version.version) if version.usable else [],
            )
            for version in await self._keyring.versions()
        ]
