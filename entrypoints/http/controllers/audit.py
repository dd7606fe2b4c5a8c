"""The tenant's audit trail for owners and admins: a filtered, paged list, and the whole chain
with its head as NDJSON, for a customer to verify on their own (``docs/audit.md``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Router, get
from litestar.di import NamedDependency
from litestar.params import FromQuery, QueryParameter
from litestar.response import Stream

from application.compliance.ports import AuditFilter, ChainHead
from application.compliance.read_audit import AuditQuery, ExportAuditTrail, ListAuditEvents
from application.shared.actor import Actor
from domain.compliance.audit import MAGIC, AuditRecord, Seal, micros
from entrypoints.container import Application
from entrypoints.http.auth import requires_manager
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems

Limit = Annotated[int, QueryParameter(ge=1, le=200)]
Since = Annotated[datetime | None, QueryParameter(name="since", required=False)]
Until = Annotated[datetime | None, QueryParameter(name="until", required=False)]
ENCODING = (
    f"{MAGIC.decode()}: hash = SHA-256(prev_hash || canonical), prev_hash of seq 1 = 32 zero "
    "bytes; canonical = magic || tenant_id (16 bytes) || seq (u64 BE) || at_us (i64 BE) || "
    "str(actor_type) || actor_seal || str(action) || str(target_type) || target_seal || "
    "str(outcome) || str(request_id) || address_seal || count(details) (u32 BE) || each key in "
    "UTF-8 byte order: str(key) || str(value); str(s) = u32 BE length || UTF-8; a seal is 32 "
    "bytes, SHA-256(salt || UTF-8 value) while the salt is kept, and an erased value is empty "
    "with no salt. See docs/audit.md."
)
_encode = msgspec.json.Encoder().encode
NDJSON = "application/x-ndjson"


class AuditEventView(msgspec.Struct, frozen=True, kw_only=True):
    seq: int
    at: datetime
    at_us: int  # the hashed value: microseconds since the Unix epoch, UTC
    actor_type: str
    actor_id: str
    actor_salt: str | None  # hex; null once the value was erased
    actor_seal: str  # hex
    action: str
    target_type: str
    target_id: str
    target_salt: str | None
    target_seal: str
    outcome: str
    request_id: str
    address: str
    address_salt: str | None
    address_seal: str
    details: dict[str, str]
    prev_hash: str  # hex
    hash: str  # hex

    @classmethod
    def of(cls, r: AuditRecord) -> AuditEventView:
        return cls(
            seq=r.seq, at=r.at, at_us=micros(r.at), actor_type=r.actor_type,
            **_sealed("actor", r.actor), action=r.action, target_type=r.target_type,
            **_sealed("target", r.target), outcome=r.outcome, request_id=r.request_id,
            **_sealed("address", r.address), details=r.details, prev_hash=r.prev_hash.hex(),
            hash=r.hash.hex(),
        )  # fmt: skip


def _sealed(name: str, seal: Seal) -> dict[str, Any]:
    value = "address" if name == "address" else f"{name}_id"
    salt = None if seal.salt is None else seal.salt.hex()
    return {value: seal.value, f"{name}_salt": salt, f"{name}_seal": seal.digest.hex()}


class AuditEventPage(msgspec.Struct, frozen=True, kw_only=True):
    items: list[AuditEventView]
    next_cursor: str | None


class AuditController(Controller):
    path = "/audit"
    tags = ["Audit"]
    guards = [requires_manager]
    security = BEARER_REQUIRED

    @get("/", summary="The tenant's audit events, newest first (owners and admins)",
         responses=problems(401, 403, 422))  # fmt: skip
    async def events(
        self, *, actor: NamedDependency[Actor], list_audit_events: NamedDependency[ListAuditEvents],
        action: FromQuery[str | None] = None, actor_id: FromQuery[str | None] = None,
        target_type: FromQuery[str | None] = None, target_id: FromQuery[str | None] = None,
        outcome: FromQuery[str | None] = None, since: Since = None, until: Until = None,
        cursor: FromQuery[str | None] = None, limit: Limit = 50,
    ) -> AuditEventPage:  # fmt: skip
        where = AuditFilter(
            action=action, actor_id=actor_id, target_type=target_type, target_id=target_id,
            outcome=outcome, since=since, until=until,
        )  # fmt: skip
        page = await list_audit_events.execute(
            actor, AuditQuery(where=where, cursor=cursor, limit=limit)
        )
        items = [AuditEventView.of(r) for r in page.items]
        return AuditEventPage(items=items, next_cursor=page.next_cursor)

    @get("/export", summary="The whole audit chain and its head, as NDJSON (owners and admins)",
         media_type=NDJSON, responses=problems(401, 403))  # fmt: skip
    async def export(
        self, *, actor: NamedDependency[Actor],
        export_audit_trail: NamedDependency[ExportAuditTrail],
    ) -> Stream:  # fmt: skip
        head, links = await export_audit_trail.execute(actor)
        return Stream(
            _ndjson(head, links), media_type=NDJSON,
            headers={"Content-Disposition": 'attachment; filename="atlas-audit.ndjson"'},
        )  # fmt: skip


async def _ndjson(head: ChainHead, links: AsyncIterator[AuditRecord]) -> AsyncIterator[bytes]:
    yield _encode({
        "type": "head", "tenant_id": str(head.tenant_id), "last_seq": head.last_seq,
        "last_hash": head.last_hash.hex(), "encoding": ENCODING,
    }) + b"\n"  # fmt: skip
    async for link in links:
        yield _encode({"type": "event", **msgspec.to_builtins(AuditEventView.of(link))}) + b"\n"


def routes(container: Application) -> Router:
    audit = container.use_cases.audit
    return Router(
        path="/api/v1",
        route_handlers=[AuditController],
        dependencies={
            "list_audit_events": provide(audit.list_audit_events),  # type: ignore[attr-defined]
            "export_audit_trail": provide(audit.export_audit_trail),  # type: ignore[attr-defined]
        },
    )
