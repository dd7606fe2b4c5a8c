"""The audit trail's records and their canonical byte encoding, the hash chain's one definition.

A customer verifying an export reimplements exactly this (``docs/audit.md``). Version 1:

    canonical = b"atlas-audit-v1"
              || tenant_id (16 bytes, the UUID's bytes)
              || seq (8 bytes, unsigned big-endian)
              || at (8 bytes, signed big-endian microseconds since 1970-01-01T00:00:00Z)
              || str(actor_type) || actor_seal (32 bytes) || str(action) || str(target_type)
              || target_seal (32 bytes) || str(outcome) || str(request_id)
              || address_seal (32 bytes)
              || count(details) (4 bytes, unsigned big-endian)
              || for each key in ascending order of its UTF-8 bytes: str(key) || str(value)
    str(s)    = len(utf8(s)) (4 bytes, unsigned big-endian) || utf8(s)
    seal(v)   = SHA-256(salt || utf8(v)), salt = 16 random bytes kept beside the value
    hash      = SHA-256(prev_hash || canonical), prev_hash of seq 1 = 32 zero bytes

Tenant and seq are hashed, so a row moved to another position or tenant breaks its link.
Absent values are empty strings (never NULL), so no field has two spellings.

The three fields that can name a person (actor, target, address) are hashed through a salted
seal, not directly: erasing a person (GDPR Art. 17) blanks the value and drops its salt, and
the chain still verifies, because the seal it hashed stays. A kept salt proves its value; a
dropped salt leaves an empty value, shown as erased. Nothing else can change without breaking
the chain, and without the salt a seal tells nothing about the erased value.
"""

from __future__ import annotations

import enum
import hashlib
import os
import struct
from collections.abc import Mapping
from datetime import UTC, datetime
from uuid import UUID

import msgspec

MAGIC = b"atlas-audit-v1"
SALT_BYTES = 16
GENESIS = bytes(32)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_DETAILS = 16
MAX_TEXT = 200  # a detail value or an id: names and numbers, never content


class Outcome(enum.StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    DENIED = "denied"


class AuditAction(enum.StrEnum):
    SIGN_IN = "auth.sign_in"
    SIGN_IN_FAILED = "auth.sign_in_failed"
    REFRESH_REUSED = "auth.refresh_reused"
    MEMBER_ROLE_CHANGED = "member.role_changed"
    MEMBER_REMOVED = "member.removed"
    INVITATION_CREATED = "invitation.created"
    INVITATION_ACCEPTED = "invitation.accepted"
    INVITATION_REVOKED = "invitation.revoked"
    CONNECTION_MADE = "connection.made"
    CONNECTION_NEEDS_REAUTH = "connection.needs_reauth"
    CONNECTION_SHARED = "connection.shared"
    CONNECTION_UNSHARED = "connection.unshared"
    CONNECTION_DISCONNECTED = "connection.disconnected"
    CONNECTION_PURGED = "connection.purged"
    SYNC_REQUESTED = "sync.requested"
    IMPORT_STARTED = "import.started"
    IMPORT_FINISHED = "import.finished"
    EXPORT_CREATED = "export.created"
    ORIGINAL_RETRIEVED = "original.retrieved"
    API_KEY_CREATED = "api_key.created"
    API_KEY_DELETED = "api_key.deleted"
    VAULT_KEY_ROTATED = "vault.key_rotated"
    VAULT_KEY_RETIRED = "vault.key_retired"
    VAULT_REENCRYPTED = "vault.reencrypted"
    DATA_EXPORTED = "data.exported"  # GDPR export (Art. 15/20)
    DATA_ERASED = "data.erased"  # GDPR erasure (Art. 17)
    TENANT_CREATED = "tenant.created"  # at sign-up, with its first owner
    TENANT_DELETION_REQUESTED = "tenant.deletion_requested"
    TENANT_DELETION_CANCELLED = "tenant.deletion_cancelled"
    BACKUP_RESTORED = "backup.restored"


class ActorType(enum.StrEnum):
    USER = "user"
    SYSTEM = "system"  # the worker, a CLI command: no person acted


class AuditEntry(msgspec.Struct, frozen=True, kw_only=True):
    """What a use case records; the unit of work adds who, where, when and the chain."""

    action: AuditAction
    target_type: str = ""
    target_id: str = ""
    outcome: Outcome = Outcome.SUCCESS
    details: dict[str, str] = msgspec.field(default_factory=dict)
    # Set only where the scope's user is not who acted (a failed sign-in names the account).
    actor_id: str | None = None

    def __post_init__(self) -> None:
        if len(self.details) > MAX_DETAILS:
            raise ValueError("an audit entry carries a few allow-listed details, not content")
        for text in (self.target_type, self.target_id, *self.details, *self.details.values()):
            if len(text) > MAX_TEXT or "\x00" in text:
                raise ValueError("an audit value is a short name or id")


class Seal(msgspec.Struct, frozen=True):
    """A value that may name a person, as the chain commits to it: ``salt`` is ``None`` once
    the value was erased (then ``value`` is empty and ``digest`` still holds the link)."""

    value: str
    salt: bytes | None
    digest: bytes

    @classmethod
    def of(cls, value: str, salt: bytes | None = None) -> Seal:
        salt = os.urandom(SALT_BYTES) if salt is None else salt
        return cls(value, salt, hashlib.sha256(salt + value.encode()).digest())

    def erased(self) -> Seal:
        return Seal("", None, self.digest)

    def holds(self) -> bool:
        if len(self.digest) != 32:
            return False
        if self.salt is None:
            return self.value == ""
        return hashlib.sha256(self.salt + self.value.encode()).digest() == self.digest


class AuditRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One stored link of a tenant's chain."""

    tenant_id: UUID
    seq: int
    at: datetime
    actor_type: str
    actor: Seal
    action: str
    target_type: str
    target: Seal
    outcome: str
    request_id: str
    address: Seal
    details: dict[str, str]
    prev_hash: bytes
    hash: bytes

    @property
    def actor_id(self) -> str:
        return self.actor.value

    @property
    def target_id(self) -> str:
        return self.target.value


def _text(value: str) -> bytes:
    raw = value.encode()
    return struct.pack(">I", len(raw)) + raw


def micros(at: datetime) -> int:
    """Microseconds since the epoch: exact, whatever the time zone ``at`` is written in."""
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def canonical_bytes(record: AuditRecord) -> bytes:
    parts = [
        MAGIC,
        record.tenant_id.bytes,
        struct.pack(">Qq", record.seq, micros(record.at)),
        _text(record.actor_type),
        record.actor.digest,
        _text(record.action),
        _text(record.target_type),
        record.target.digest,
        _text(record.outcome),
        _text(record.request_id),
        record.address.digest,
        struct.pack(">I", len(record.details)),
    ]
    for key in sorted(record.details, key=str.encode):
        parts += [_text(key), _text(record.details[key])]
    return b"".join(parts)


def link_hash(prev_hash: bytes, record: AuditRecord) -> bytes:
    return hashlib.sha256(prev_hash + canonical_bytes(record)).digest()


def sealed(record: AuditRecord, prev_hash: bytes) -> AuditRecord:
    """``record`` as the next link after ``prev_hash``."""
    unsealed = msgspec.structs.replace(record, prev_hash=prev_hash, hash=b"")
    return msgspec.structs.replace(unsealed, hash=link_hash(prev_hash, unsealed))


class ChainBreak(msgspec.Struct, frozen=True, kw_only=True):
    """The first link that does not hold: ``seq`` is where the chain stops being provable."""

    tenant_id: UUID
    seq: int
    reason: str


class ChainVerifier:
    """Checks one tenant's chain link by link, in ``seq`` order, without holding it in memory."""

    def __init__(self, tenant_id: UUID) -> None:
        self.tenant_id = tenant_id
        self.last_seq, self.last_hash = 0, GENESIS
        self.broken: ChainBreak | None = None

    def add(self, record: AuditRecord) -> ChainBreak | None:
        if self.broken is not None:
            return self.broken
        fault = self._fault(record)
        if fault is not None:
            return self._break(*fault)
        self.last_seq, self.last_hash = record.seq, record.hash
        return None

    def _fault(self, record: AuditRecord) -> tuple[int, str] | None:
        """Where and why ``record`` is not the next link, or ``None`` when it is."""
        expected = self.last_seq + 1
        if record.tenant_id != self.tenant_id:
            return record.seq, "the row belongs to another tenant"
        if record.seq != expected:
            return expected, f"seq {expected} is missing (next is {record.seq})"
        if not all(seal.holds() for seal in (record.actor, record.target, record.address)):
            return expected, "a sealed value does not match its seal"
        if record.prev_hash != self.last_hash:
            return expected, "prev_hash does not match the previous link"
        if link_hash(self.last_hash, record) != record.hash:
            return expected, "the row's contents do not match its hash"
        return None

    def finish(self, head_seq: int, head_hash: bytes) -> ChainBreak | None:
        """Compare the end of the chain with the head the writer moved (or a customer kept)."""
        if self.broken is not None:
            return self.broken
        if head_seq > self.last_seq:
            return self._break(self.last_seq + 1, f"rows {self.last_seq + 1}..{head_seq} missing")
        if head_seq < self.last_seq:
            return self._break(head_seq + 1, "rows beyond the recorded head")
        if head_hash != self.last_hash:
            return self._break(head_seq, "the head's hash does not match the last link")
        return None

    def beyond_head(self, head_seq: int) -> ChainBreak:
        return self._break(head_seq + 1, "rows beyond the recorded head")

    def _break(self, seq: int, reason: str) -> ChainBreak:
        self.broken = ChainBreak(tenant_id=self.tenant_id, seq=seq, reason=reason)
        return self.broken


def clean_details(details: Mapping[str, object]) -> dict[str, str]:
    """Details as the chain stores them: strings, dropping empty values."""
    return {k: str(v) for k, v in details.items() if v is not None and v != ""}
