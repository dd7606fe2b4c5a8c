"""Opaque bearer secrets (refresh tokens, invitations): 256 random bits, stored only as SHA-256.

A token reads ``<tenant_id>.<user_or_record_id>.<secret>``. The ids are not secret: they only
choose the row-security scope for the lookup, so a forged prefix finds nothing. The database
keeps the SHA-256 of the whole token (a fast hash is right here: the secret has 256 bits of
entropy, so there is nothing to brute-force, unlike a password).
"""

from __future__ import annotations

import hashlib
import secrets
from uuid import UUID

import msgspec

SECRET_BYTES = 32  # 256 bits (R3.4)
MAX_TOKEN_LENGTH = 200


class OpaqueToken(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: UUID
    subject_id: UUID
    value: str  # the whole presented token; never logged

    @property
    def digest(self) -> bytes:
        return token_digest(self.value)

    def __repr__(self) -> str:
        return f"OpaqueToken(tenant_id={self.tenant_id}, subject_id={self.subject_id}, value=***)"


def mint(tenant_id: UUID, subject_id: UUID) -> OpaqueToken:
    value = f"{tenant_id}.{subject_id}.{secrets.token_urlsafe(SECRET_BYTES)}"
    return OpaqueToken(tenant_id=tenant_id, subject_id=subject_id, value=value)


def token_digest(value: str) -> bytes:
    return hashlib.sha256(value.encode("utf-8")).digest()


def parse(value: str) -> OpaqueToken | None:
    """The token's parts, or None for anything that is not shaped like one of ours."""
    if len(value) > MAX_TOKEN_LENGTH or not value.isascii():
        return None
    tenant, _, rest = value.partition(".")
    subject, _, secret = rest.partition(".")
    if len(secret) < SECRET_BYTES:
        return None
    try:
        tenant_id, subject_id = UUID(tenant), UUID(subject)
    except ValueError:
        return None
    # Only the canonical spelling: another spelling of the same ids would hash differently.
    if str(tenant_id) != tenant or str(subject_id) != subject:
        return None
    return OpaqueToken(tenant_id=tenant_id, subject_id=subject_id, value=value)
