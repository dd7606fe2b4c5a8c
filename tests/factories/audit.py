"""Audit records and chains for tests: a valid chain of any length, built by the domain; and a
customer's verifier of an exported trail, written from docs/audit.md alone."""

from __future__ import annotations

import hashlib
import struct
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from domain.compliance.audit import GENESIS, AuditRecord, Seal, sealed


def create_chain(length: int, tenant_id: UUID | None = None) -> list[AuditRecord]:
    tenant = tenant_id or uuid4()
    start = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    links, prev = [], GENESIS
    for seq in range(1, length + 1):
        draft = AuditRecord(
            tenant_id=tenant, seq=seq, at=start + timedelta(microseconds=seq * 1_000_001),
            actor_type="user", actor=Seal.of(str(uuid4())), action="member.role_changed",
            target_type="member", target=Seal.of(str(uuid4())), outcome="success",
            request_id=f"req-{seq}", address=Seal.of("203.0.113.7"),
            details={"role": "admin", "n": "é"}, prev_hash=b"", hash=b"",
        )  # fmt: skip
        link = sealed(draft, prev)
        links.append(link)
        prev = link.hash
    return links


def verify_export(lines: list[dict[str, Any]]) -> int:
    """A customer's verifier, written from docs/audit.md alone: the number of links that hold."""
    head, events = lines[0], lines[1:]

    def text(value: str) -> bytes:
        raw = value.encode("utf-8")
        return struct.pack(">I", len(raw)) + raw

    def seal(value: str, salt: str | None, digest: str) -> bytes:
        if salt is None:  # erased: the value is gone, the seal stays
            assert value == ""
        else:
            assert hashlib.sha256(bytes.fromhex(salt) + value.encode()).hexdigest() == digest
        return bytes.fromhex(digest)

    prev = bytes(32)
    for expected_seq, e in enumerate(events, start=1):
        assert e["seq"] == expected_seq
        canonical = b"atlas-audit-v1" + UUID(head["tenant_id"]).bytes
        canonical += struct.pack(">Qq", e["seq"], e["at_us"])
        canonical += text(e["actor_type"])
        canonical += seal(e["actor_id"], e["actor_salt"], e["actor_seal"])
        canonical += text(e["action"]) + text(e["target_type"])
        canonical += seal(e["target_id"], e["target_salt"], e["target_seal"])
        canonical += text(e["outcome"]) + text(e["request_id"])
        canonical += seal(e["address"], e["address_salt"], e["address_seal"])
        canonical += struct.pack(">I", len(e["details"]))
        for key in sorted(e["details"], key=lambda k: k.encode("utf-8")):
            canonical += text(key) + text(e["details"][key])
        assert bytes.fromhex(e["prev_hash"]) == prev
        prev = hashlib.sha256(prev + canonical).digest()
        assert prev.hex() == e["hash"], f"link {e['seq']} does not hold"
    assert (head["last_seq"], head["last_hash"]) == (len(events), prev.hex())
    return len(events)
