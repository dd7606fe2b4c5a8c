"""Audit records and chains for tests: a valid chain of any length, built by the domain."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from domain.compliance.audit import GENESIS, AuditRecord, sealed


def create_chain(length: int, tenant_id: UUID | None = None) -> list[AuditRecord]:
    tenant = tenant_id or uuid4()
    start = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
    links, prev = [], GENESIS
    for seq in range(1, length + 1):
        draft = AuditRecord(
            tenant_id=tenant, seq=seq, at=start + timedelta(microseconds=seq * 1_000_001),
            actor_type="user", actor_id=str(uuid4()), action="member.role_changed",
            target_type="member", target_id=str(uuid4()), outcome="success",
            request_id=f"req-{seq}", address="203.0.113.7", details={"role": "admin", "n": "é"},
            prev_hash=b"", hash=b"",
        )  # fmt: skip
        link = sealed(draft, prev)
        links.append(link)
        prev = link.hash
    return links
