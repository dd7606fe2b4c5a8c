"""Originals fetched on demand: what a retrieval hands back, and the audit record it leaves.

An original is the provider's own answer for one record, fetched live for a member who may see
the record. It is content (subjects, bodies, message text), so it lives only in a ``Secret``:
its repr is a mask, and nothing that logs, stores or caches a value can show it by accident.
The audit record names who retrieved which reference and how it ended, never a byte of it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal
from uuid import UUID

import msgspec

from domain.graph.model import SourceRef
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret

RecordKind = Literal["activity", "entity"]


class RetrievalOutcome(StrEnum):
    OK = "ok"
    GONE = "gone"  # the provider no longer has the record
    REAUTH = "reauth"  # the connection needs its owner to reconnect
    UNAVAILABLE = "unavailable"  # the provider is down or throttling: try again later
    REFUSED = "refused"  # the provider refused (the connection may no longer see the record)
    UNSUPPORTED = "unsupported"  # no original to fetch: an import, or a mention only


class Original(msgspec.Struct, frozen=True, kw_only=True):
    provider: str
    source_id: str
    kind: RecordKind
    content: Secret[bytes]  # the provider's JSON answer, exactly as it came


class Retrieval(msgspec.Struct, frozen=True, kw_only=True):
    """One attempt to fetch an original: the reference only."""

    id: UUID
    tenant_id: TenantId
    user_id: UserId
    record_kind: RecordKind
    record_id: UUID
    ref: SourceRef
    outcome: RetrievalOutcome
    retrieved_at: datetime
