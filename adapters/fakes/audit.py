"""The audit trail in memory: the same chain as PostgreSQL's, appended at commit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from adapters.fakes.store import Tables
from application.shared.auditing import chained, draft
from application.shared.scope import Scope
from domain.compliance.audit import GENESIS, AuditEntry, AuditRecord
from domain.shared.ids import TenantId


@dataclass
class AuditTables:
    events: dict[TenantId, list[AuditRecord]] = field(default_factory=dict)


class FakeAuditRecorder:
    def __init__(self, tables: Tables, scope: Scope) -> None:
        self._tables, self._scope = tables, scope
        self.pending: list[AuditRecord] = []

    def record(self, entry: AuditEntry) -> None:
        self.pending.append(draft(entry, self._scope))

    def flush(self, into: Tables | None = None) -> None:
        """Chain what was recorded onto the trail (``into``, the committed tables, when given)."""
        if not self.pending:
            return
        tenant = TenantId(self.pending[0].tenant_id)
        audit = (into or self._tables).of(AuditTables)
        chain = list(audit.events.get(tenant, []))
        last_seq, last_hash = (chain[-1].seq, chain[-1].hash) if chain else (0, GENESIS)
        chain += chained(self.pending, last_seq=last_seq, last_hash=last_hash,
                         at=datetime.now(UTC))  # fmt: skip
        audit.events[tenant] = chain
        self.pending = []
