"""What a sealed value is bound to, what it looks like at rest, and the key versions behind it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Final, final
from uuid import UUID

import msgspec

from domain.shared.ids import TenantId, UserId

MAX_PLAINTEXT_BYTES: Final = 64 * 1024

# NIST SP 800-38D §8.3: with random 96-bit IVs one key may seal at most 2^32 values. We warn
# at a quarter of that and move to a new key version at half, far from the cliff.
ALERT_AT: Final = 2**30
ROTATE_AT: Final = 2**31

KDF: Final = "pbkdf2"
KDF_HASH: Final = "sha256"
DEFAULT_ITERATIONS: Final = 600_000  # OWASP's current figure for PBKDF2-HMAC-SHA256
MIN_ITERATIONS: Final = 65_536  # the promised figure; accepted for older versions only
SALT_BYTES: Final = 16


class Purpose(enum.StrEnum):
    """What a sealed value is for; part of its binding, so none of these may contain '|'."""

    OAUTH_ACCESS = "oauth_access"
    OAUTH_REFRESH = "oauth_refresh"
    API_KEY = "api_key"


class KeyState(enum.StrEnum):
    ACTIVE = "active"  # the one version that seals
    DECRYPT_ONLY = "decrypt_only"  # still opens what it sealed
    RETIRED = "retired"  # opens nothing; only once no value references it


@final
class Binding:
    """Who and what a sealed value belongs to; its canonical encoding is the AES-GCM AAD.

    ``tenant_id|user_id|purpose|record_id|key_version``, UUIDs in lowercase canonical form and
    an empty field for a value no single user owns. A ciphertext copied to another tenant, user,
    purpose or row, or relabelled with another key version, then fails to open. The prefix is
    encoded once here: bindings are built per row read, AADs are needed per seal and open.
    """

    __slots__ = ("aad_prefix", "purpose", "record_id", "tenant_id", "user_id")

    def __init__(
        self, *, tenant_id: TenantId, user_id: UserId | None, purpose: Purpose, record_id: UUID
    ) -> None:
        self.tenant_id, self.user_id = tenant_id, user_id
        self.purpose, self.record_id = purpose, record_id
        user = str(user_id) if user_id is not None else ""
        self.aad_prefix = f"{tenant_id}|{user}|{purpose.value}|{record_id}|".encode("ascii")

    def associated_data(self, key_version: int) -> bytes:
        return self.aad_prefix + b"%d" % key_version

    def _key(self) -> tuple[object, ...]:
        return (self.tenant_id, self.user_id, self.purpose, self.record_id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Binding) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Binding({self.aad_prefix.decode('ascii')!r})"


class SealedValue(msgspec.Struct, frozen=True, kw_only=True):
    """An envelope as stored, with the key version the row says sealed it."""

    key_version: int
    envelope: bytes

    def __repr__(self) -> str:
        return f"SealedValue(key_version={self.key_version}, {len(self.envelope)} bytes)"


class KeyVersion(msgspec.Struct, frozen=True, kw_only=True):
    """One sealing key, derived from the master secret with the parameters recorded here.

    ``key_check`` is a one-way fingerprint of the derived key: a wrong master secret (or
    altered parameters) is caught at start-up instead of as a flood of unreadable values.
    ``encryption_count`` is an upper bound: processes lease blocks of it before sealing.
    """

    version: int
    iterations: int
    salt: bytes
    key_check: bytes
    state: KeyState
    encryption_count: int
    created_at: datetime
    kdf: str = KDF
    hash: str = KDF_HASH
    demoted_at: datetime | None = None
    retired_at: datetime | None = None

    @property
    def usable(self) -> bool:
        return self.state is not KeyState.RETIRED


class SealedKind(enum.StrEnum):
    """The tables holding sealed values; re-encryption walks each of them."""

    API_KEYS = "api_keys"  # tenant-wide
    OAUTH_TOKENS = "oauth_tokens"  # private to one user of a tenant


class SealedScope(msgspec.Struct, frozen=True, kw_only=True):
    """Where values under one key version live: a table, a tenant, a user for private tables."""

    kind: SealedKind
    tenant_id: TenantId
    user_id: UserId | None
    values: int
