"""The control API tests and developers drive the sandbox with; never mounted in production.

Every call presents the key from the data directory (``control_key.py``); run-time clients may
only redirect to loopback or to the origins the sandbox started with (``control_guard.py``).

``GET /_control/stats``            counts per provider and client (never token values)
``POST/GET/DELETE /_control/faults`` inject, list, clear faults
``GET/POST /_control/clock``       read the sandbox clock, or move it forward
``GET /_control/clients``, ``PUT /_control/clients`` list (without secrets) and register clients
``POST /_control/consent``         withhold scopes at consent (a person unticking boxes)
``POST /_control/grants/revoke``   the person removed the app at the provider
``POST /_control/cursors/expire``  every cursor handed out so far goes stale
``GET /_control/dataset``          the seeded company in brief (with the records each provider
                                   serves as of the clock), with its canary strings
``POST /_control/tokens/expire``  every access token of a provider expires now (refresh works)
``POST /_control/records``         change the company: delete a record, append a stage or status
                                   change to its history, or touch it (``mutations``)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal, cast

import msgspec
from litestar import Response, Router, delete, get, post, put

from adapters.sandbox.config import ClientRegistration, Provider
from adapters.sandbox.context import AnyRequest, sandbox_of
from adapters.sandbox.control_guard import ControlRefused, foreign_redirects, require_control_key
from adapters.sandbox.faults import FaultRule
from adapters.sandbox.mutations import RecordKind
from adapters.sandbox.reply import Reply
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.census import census, total
from adapters.sandbox.seed.model import Change
from domain.shared.secret import Secret


class ClientInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    provider: Provider
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    require_pkce: bool = False
    rotate_refresh_tokens: bool = False
    app_name: str = "Atlas"


class ClockInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    advance_seconds: float


class ConsentInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    provider: Provider
    withhold_scopes: tuple[str, ...] = ()


class RecordInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    kind: RecordKind
    key: int
    action: Literal["delete", "change", "touch"]
    at: datetime | None = None  # default: the sandbox's now
    value: str | None = None  # the new stage or status (``change``)
    by: int = 0  # the person who made the change (``change``)


class ProviderInput(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    provider: Provider
    client_id: str | None = None


def _decode(body: bytes, kind: type[Any]) -> Any:
    try:
        return msgspec.json.decode(body, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as error:
        raise _Invalid(str(error)) from None


class _Invalid(Exception):
    pass


def _ok(body: Any, status: int = 200) -> Response[bytes]:
    return Reply(status=status, body=body).to_response()


@get("/stats")
async def stats(request: AnyRequest) -> Response[bytes]:
    return _ok(sandbox_of(request).stats.snapshot())


@post("/faults")
async def add_fault(request: AnyRequest) -> Response[bytes]:
    rule = _decode(await request.body(), FaultRule)
    return _ok({"id": sandbox_of(request).faults.add(rule)}, 201)


@get("/faults")
async def list_faults(request: AnyRequest) -> Response[bytes]:
    active = sandbox_of(request).faults.active()
    return _ok([{"id": i, "rule": msgspec.to_builtins(r), "remaining": n} for i, r, n in active])


@delete("/faults", status_code=200)
async def clear_faults(request: AnyRequest) -> Response[bytes]:
    sandbox_of(request).faults.clear()
    return _ok({"cleared": True})


@get("/clock")
async def read_clock(request: AnyRequest) -> Response[bytes]:
    return _ok({"now": sandbox_of(request).clock.now().isoformat()})


@post("/clock")
async def move_clock(request: AnyRequest) -> Response[bytes]:
    advance = _decode(await request.body(), ClockInput).advance_seconds
    if advance < 0:
        raise _Invalid("the sandbox clock only moves forward")
    clock = sandbox_of(request).clock
    clock.advance(timedelta(seconds=advance))
    return _ok({"now": clock.now().isoformat()})


@get("/clients")
async def clients(request: AnyRequest) -> Response[bytes]:
    return _ok([_public(r) for r in sandbox_of(request).clients.all()])


@put("/clients")
async def register(request: AnyRequest) -> Response[bytes]:
    given = _decode(await request.body(), ClientInput)
    sandbox = sandbox_of(request)
    if foreign := foreign_redirects(given.redirect_uris, sandbox.config.registrations):
        detail = f"{foreign}: redirect URIs lead to loopback or to an origin the sandbox knows"
        raise ControlRefused(422, "redirect_uri_not_allowed", detail)
    values = msgspec.structs.asdict(given) | {"client_secret": Secret(given.client_secret)}
    registration = ClientRegistration(**values)
    sandbox.clients.register(registration)
    return _ok(_public(registration))


@post("/consent")
async def consent(request: AnyRequest) -> Response[bytes]:
    given = _decode(await request.body(), ConsentInput)
    sandbox_of(request).withheld[given.provider] = frozenset(given.withhold_scopes)
    return _ok({"provider": given.provider, "withhold_scopes": sorted(given.withhold_scopes)})


@post("/grants/revoke")
async def revoke_grants(request: AnyRequest) -> Response[bytes]:
    given = _decode(await request.body(), ProviderInput)
    revoked = sandbox_of(request).tokens.revoke_grants(given.provider, given.client_id)
    return _ok({"revoked_families": revoked})


@post("/cursors/expire")
async def expire_cursors(request: AnyRequest) -> Response[bytes]:
    given = _decode(await request.body(), ProviderInput)
    cursors = sandbox_of(request).cursors
    cursors.expire(given.provider)
    return _ok({"provider": given.provider, "epoch": cursors.epoch(given.provider)})


@post("/records")
async def change_record(request: AnyRequest) -> Response[bytes]:
    given = _decode(await request.body(), RecordInput)
    sandbox = sandbox_of(request)
    at = given.at or sandbox.clock.now()
    if at.tzinfo is None:
        raise _Invalid("at needs a time zone")
    if given.action == "delete":
        sandbox.mutations.delete(given.kind, given.key, at)
    elif given.action == "touch":
        sandbox.mutations.touch(given.kind, given.key, at)
    else:
        if not given.value:
            raise _Invalid("a change needs a value")
        sandbox.mutations.change(
            given.kind, given.key, Change(value=given.value, at=at, by=given.by)
        )
    return _ok({"kind": given.kind, "key": given.key, "action": given.action, "at": at.isoformat()})


@post("/tokens/expire")
async def expire_tokens(request: AnyRequest) -> Response[bytes]:
    given = _decode(await request.body(), ProviderInput)
    expired = sandbox_of(request).tokens.expire_access(given.provider)
    return _ok({"provider": given.provider, "expired_access_tokens": expired})


@get("/dataset")
async def dataset(request: AnyRequest) -> Response[bytes]:
    return _ok(_dataset_brief(sandbox_of(request)))


def _invalid(_: AnyRequest, error: _Invalid) -> Response[bytes]:
    return Reply(status=422, body={"error": str(error)}).to_response()


def _refused(_: AnyRequest, error: ControlRefused) -> Response[bytes]:
    body = {"error": error.code, "status": error.status, "detail": error.detail}
    return Reply(status=error.status, body=body).to_response()


def router() -> Router:
    """The handlers find the sandbox in the app's state (``create_sandbox_app`` puts it there)."""
    handlers = [stats, add_fault, list_faults, clear_faults, read_clock, move_clock, clients]
    handlers += [register, consent, revoke_grants, expire_cursors, dataset, change_record]
    handlers += [expire_tokens]
    return Router(
        path="/_control",
        route_handlers=handlers,
        guards=[require_control_key],
        exception_handlers={_Invalid: _invalid, ControlRefused: _refused},
        include_in_schema=False,
    )


def _public(registration: ClientRegistration) -> dict[str, Any]:
    data = msgspec.structs.asdict(registration)
    data.pop("client_secret")
    return cast(dict[str, Any], msgspec.to_builtins(data))


def _dataset_brief(sandbox: Sandbox) -> dict[str, Any]:
    d = sandbox.dataset
    served = census(d, sandbox.clock.now())
    return {
        "seed": d.seed,
        "scale": d.scale,
        "start": d.start.isoformat(),
        "end": d.end.isoformat(),
        "company": d.company,
        "signed_in_by_default": d.revops_lead.email,
        "counts": {
            "people": len(d.people),
            "accounts": len(d.accounts),
            "deals": len(d.deals),
            "tickets": len(d.tickets),
            "issues": len(d.issues),
            "emails": len(d.emails),
            "meetings": len(d.meetings),
            "channels": len(d.channels),
            "messages": len(d.messages),
        },
        # What a full sync of each provider pages through now, signed in as the RevOps lead.
        "records": served,
        "records_total": total(served),
        "canary_prefix": "ATLAS-CANARY-",
        "canaries": list(d.canaries),
    }
