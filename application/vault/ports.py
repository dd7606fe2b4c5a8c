"""Ports the vault use cases need; adapters implement them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol, Self, TypeVar
from uuid import UUID

from application.shared.ports import UnitOfWork
from domain.shared.secret import Secret
from domain.vault.api_keys import ApiKey
from domain.vault.model import Binding, KeyVersion, SealedScope, SealedValue
from domain.vault.oauth import SealedOAuthTokens


class Vault(Protocol):
    """Seals and opens values; a value opens only under the binding it was sealed with.

    ``open`` raises ``CredentialUnreadable`` for anything that does not open (tampered, moved,
    relabelled, or under a retired key), never a lower-level error.
    """

    async def seal(self, plaintext: Secret[bytes], binding: Binding) -> SealedValue: ...

    async def seal_all(self, items: Sequence[tuple[Secret[bytes], Binding]]) -> list[SealedValue]:
        """Seal several values under one key version (they share a row's ``key_version``)."""
        ...

    async def open(self, sealed: SealedValue, binding: Binding) -> Secret[bytes]: ...


class KeyRing(Protocol):
    """The key versions as this process sees them, and the changes only it may make."""

    async def versions(self) -> list[KeyVersion]:
        """Every version, oldest first, re-read from the store."""
        ...

    async def rotate(self, *, iterations: int | None = None) -> KeyVersion:
        """Add a version and make it the sealing key; the previous one becomes decrypt-only."""
        ...

    async def retire(self, version: int) -> KeyVersion:
        """Refused while the version seals, or while any stored value references it."""
        ...


class KeyUsageAlerts(Protocol):
    def key_usage_high(self, version: int, encryptions: int) -> None: ...

    def key_rotated(self, retired_from_sealing: int, sealing: int, reason: str) -> None: ...


class KeyVersionRepository(Protocol):
    """The global table of key versions: not tenant data. Each method is one transaction."""

    async def all(self) -> list[KeyVersion]: ...

    async def promote(self, new: KeyVersion, *, demote: int | None, at: datetime) -> bool:
        """Add ``new`` as the active version and demote ``demote`` to decrypt-only, atomically.

        False (and nothing changed) when another process rotated first.
        """
        ...

    async def lease(self, version: int, block: int) -> int | None:
        """Reserve ``block`` encryptions; the new count, or None if the version stopped sealing."""
        ...

    async def retire(self, version: int, at: datetime) -> bool:
        """Decrypt-only to retired; raises ``KeyVersionInUse`` while a value references it."""
        ...

    async def usage(self, version: int) -> list[SealedScope]:
        """Every scope holding values under ``version``, across tenants: counts, no values."""
        ...


class SealedRecord(Protocol):
    """A stored row carrying sealed values, as re-encryption sees it."""

    @property
    def record_id(self) -> UUID: ...

    @property
    def key_version(self) -> int: ...

    def sealed_values(self) -> tuple[tuple[Binding, SealedValue], ...]: ...

    def resealed(self, values: Sequence[SealedValue]) -> Self: ...


R = TypeVar("R", bound=SealedRecord)


class ResealableRepository(Protocol[R]):
    async def sealed_under(self, version: int, *, after: UUID | None, limit: int) -> list[R]:
        """The scope's rows under ``version``, in record id order after ``after``."""
        ...

    async def replace_sealed(self, previous: R, resealed: R) -> bool:
        """Swap the sealed values only if the row still holds ``previous``'s; False otherwise."""
        ...


class ApiKeyRepository(ResealableRepository[ApiKey], Protocol):
    async def put(self, key: ApiKey) -> None:
        """Insert, or replace the key of the same name (a new record id, a new seal)."""
        ...

    async def get(self, name: str) -> ApiKey | None: ...

    async def all(self) -> list[ApiKey]: ...

    async def remove(self, name: str) -> bool: ...


class OAuthTokenRepository(ResealableRepository[SealedOAuthTokens], Protocol):
    async def put(self, tokens: SealedOAuthTokens) -> None: ...

    async def get(self, connection_id: UUID) -> SealedOAuthTokens | None: ...

    async def remove(self, connection_id: UUID) -> bool: ...


class VaultUnitOfWork(UnitOfWork, Protocol):
    api_keys: ApiKeyRepository
    oauth_tokens: OAuthTokenRepository
