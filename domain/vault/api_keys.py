"""Customer API keys for integrations: validated on the way in, shown only as a masked hint."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Final
from uuid import UUID

import msgspec

from domain.shared.ids import TenantId, UserId
from domain.vault.errors import InvalidApiKeyName, InvalidApiKeyPurpose, InvalidApiKeyValue
from domain.vault.model import Binding, Purpose, SealedValue

_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,62}")
MIN_VALUE_LENGTH: Final = 8
MAX_VALUE_LENGTH: Final = 4096
MAX_PURPOSE_LENGTH: Final = 200
HINT_MASK: Final = "****"


def check_name(raw: str) -> str:
    if not _NAME.fullmatch(raw):
        raise InvalidApiKeyName()
    return raw


def check_value(raw: str) -> str:
    # Never trimmed or otherwise changed: the provider compares keys byte for byte. Refused
    # instead, so a pasted newline shows up now rather than as a failed call later.
    if (
        not MIN_VALUE_LENGTH <= len(raw) <= MAX_VALUE_LENGTH
        or not raw.isprintable()
        or raw != raw.strip()
    ):
        raise InvalidApiKeyValue()
    return raw


def clean_purpose(raw: str) -> str:
    purpose = " ".join(raw.split())
    if not purpose or len(purpose) > MAX_PURPOSE_LENGTH or not purpose.isprintable():
        raise InvalidApiKeyPurpose()
    return purpose


def hint_of(value: str) -> str:
    """At most the last 4 characters, and never more than a quarter of a short key."""
    shown = min(4, len(value) // 4)
    return HINT_MASK + (value[-shown:] if shown else "")


class ApiKeySummary(msgspec.Struct, frozen=True, kw_only=True):
    """What anyone may see of a stored key: never the value, at most its last 4 characters."""

    name: str
    purpose: str
    hint: str
    created_by: UserId | None
    created_at: datetime


class ApiKey(msgspec.Struct, frozen=True, kw_only=True):
    """One tenant's key for one integration, sealed; ``key_id`` is its record id in the AAD."""

    key_id: UUID
    tenant_id: TenantId
    name: str
    purpose: str
    hint: str
    sealed: SealedValue
    created_by: UserId | None
    created_at: datetime

    @property
    def record_id(self) -> UUID:
        return self.key_id

    @property
    def key_version(self) -> int:
        return self.sealed.key_version

    def summary(self) -> ApiKeySummary:
        return ApiKeySummary(
            name=self.name,
            purpose=self.purpose,
            hint=self.hint,
            created_by=self.created_by,
            created_at=self.created_at,
        )

    def sealed_values(self) -> tuple[tuple[Binding, SealedValue], ...]:
        return ((api_key_binding(self.tenant_id, self.key_id), self.sealed),)

    def resealed(self, values: Sequence[SealedValue]) -> ApiKey:
        (sealed,) = values
        return msgspec.structs.replace(self, sealed=sealed)


def api_key_binding(tenant_id: TenantId, key_id: UUID) -> Binding:
    # A tenant's key, not a person's: no user in the binding, so it survives its creator leaving.
    return Binding(tenant_id=tenant_id, user_id=None, purpose=Purpose.API_KEY, record_id=key_id)
