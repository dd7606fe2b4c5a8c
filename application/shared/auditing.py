"""Turning what a use case records into links of its tenant's chain (both adapters use this).

``draft`` captures who and where when the entry is recorded; ``chained`` numbers, times and
hashes the drafts once the writer holds the tenant's head, just before the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import msgspec

from application.shared.request_context import current_request
from application.shared.scope import Scope
from domain.compliance.audit import ActorType, AuditEntry, AuditRecord, Seal, sealed
from domain.shared.errors import ScopeViolation

_UNSET = datetime(1970, 1, 1, tzinfo=UTC)


def draft(entry: AuditEntry, scope: Scope) -> AuditRecord:
    if scope.tenant_id is None:
        raise ScopeViolation()  # an audit event always belongs to a tenant
    request = current_request()
    if entry.actor_id is not None:
        actor_type, actor_id = ActorType.USER, entry.actor_id
    elif request is not None and scope.user_id is not None:
        actor_type, actor_id = ActorType.USER, str(scope.user_id)
    else:
        actor_type, actor_id = ActorType.SYSTEM, ""
    return AuditRecord(
        tenant_id=scope.tenant_id,
        seq=0,
        at=_UNSET,
        actor_type=actor_type.value,
        actor=Seal.of(actor_id),
        action=entry.action.value,
        target_type=entry.target_type,
        target=Seal.of(entry.target_id),
        outcome=entry.outcome.value,
        request_id=request.request_id if request is not None else "",
        # Where a person acted from; the system acts from nowhere (and an erasure, recorded
        # as the system's, must not keep the erased person's address).
        address=Seal.of(request.address if request and actor_type is ActorType.USER else ""),
        details={str(k): str(v) for k, v in entry.details.items()},  # enums as their values
        prev_hash=b"",
        hash=b"",
    )


def chained(
    drafts: Sequence[AuditRecord], *, last_seq: int, last_hash: bytes, at: datetime
) -> list[AuditRecord]:
    """The drafts as the next links after ``(last_seq, last_hash)``, all recorded ``at``."""
    links, prev = [], last_hash
    for n, record in enumerate(drafts, start=last_seq + 1):
        link = sealed(msgspec.structs.replace(record, seq=n, at=at), prev)
        links.append(link)
        prev = link.hash
    return links
