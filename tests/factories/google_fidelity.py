"""Holding the Google sandbox to Google's discovery documents: a method's declared query
parameters, its response schema, and Google's documented error body; and a recorder of every
exchange a real connector has with the in-process sandbox."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any
from uuid import uuid4

import httpx
from jsonschema import Draft7Validator

from adapters.connectors.api import ProviderApi
from adapters.sandbox.app import create_sandbox_app
from application.integrations.connection_tokens import AccessGrant
from domain.integrations.connection import Connection, ConnectionStatus
from domain.integrations.endpoints import Endpoint, endpoints_of
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret
from tests.factories.discovery_schema import DRAFT, format_checker, schema_for
from tests.factories.provider_specs import spec
from tests.factories.sandbox import BASE, Harness, connect, refresh

DOCUMENTS = {"gmail": "google/gmail.v1.json", "google_calendar": "google/calendar.v3.json"}
API_BASES = {"gmail": "/google/gmail/v1", "google_calendar": "/google/calendar/v3"}
# Both connectors' grants, as the catalog asks for them.
SCOPES = (
    "https://www.googleapis.com/auth/gmail.metadata "
    "https://www.googleapis.com/auth/calendar.events.readonly"
)

# Google's error body. Sources: "Handle API errors" of the Calendar API
# (https://developers.google.com/calendar/api/guides/errors: error.errors[] with domain,
# reason, message, optional location/locationType; error.code; error.message; its examples,
# the 410 of an expired sync token among them, carry no status) and Google's API design guide,
# "Errors" (https://cloud.google.com/apis/design/errors#http_mapping: error.code,
# error.message, error.status as the canonical code's name, optional error.details). So status
# is optional, but where it is sent it must be the canonical code of the HTTP status.
CANONICAL = [
    "INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE", "UNAUTHENTICATED",
    "PERMISSION_DENIED", "NOT_FOUND", "ABORTED", "ALREADY_EXISTS", "RESOURCE_EXHAUSTED",
    "CANCELLED", "DATA_LOSS", "UNKNOWN", "INTERNAL", "NOT_IMPLEMENTED", "UNAVAILABLE",
    "DEADLINE_EXCEEDED",
]  # fmt: skip
CANONICAL_OF = {  # the design guide's HTTP mapping (statuses it names)
    400: {"INVALID_ARGUMENT", "FAILED_PRECONDITION", "OUT_OF_RANGE"},
    401: {"UNAUTHENTICATED"},
    403: {"PERMISSION_DENIED"},
    404: {"NOT_FOUND"},
    409: {"ABORTED", "ALREADY_EXISTS"},
    429: {"RESOURCE_EXHAUSTED"},
    499: {"CANCELLED"},
    500: {"DATA_LOSS", "UNKNOWN", "INTERNAL"},
    501: {"NOT_IMPLEMENTED"},
    503: {"UNAVAILABLE"},
    504: {"DEADLINE_EXCEEDED"},
}
ERROR_SCHEMA: dict[str, Any] = {
    "$schema": DRAFT,
    "type": "object",
    "required": ["error"],
    "additionalProperties": False,
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "errors"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string"},
                "status": {"enum": CANONICAL},
                "details": {"type": "array"},
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "required": ["domain", "reason", "message"],
                        "additionalProperties": False,
                        "properties": {
                            "domain": {"type": "string"},
                            "reason": {"type": "string"},
                            "message": {"type": "string"},
                            "location": {"type": "string"},
                            "locationType": {"type": "string"},
                        },
                    },
                },
            },
        }
    },
}


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str  # below the sandbox's provider root: /gmail/v1/users/me/messages
    params: tuple[tuple[str, str], ...]
    status: int
    body: Any


def method_of(provider: str, operation: str) -> dict[str, Any]:
    """The discovery document's method with this id (``gmail.users.messages.list``)."""

    def walk(resource: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield from resource.get("methods", {}).values()
        for child in resource.get("resources", {}).values():
            yield from walk(child)

    found = [m for m in walk(spec(DOCUMENTS[provider])) if m["id"] == operation]
    if not found:
        raise KeyError(operation)
    return found[0]


def endpoint_of(provider: str, exchange: Exchange) -> Endpoint:
    matching = [e for e in endpoints_of(provider) if e.matches(exchange.method, exchange.path)]
    assert len(matching) == 1, (exchange.method, exchange.path)
    return matching[0]


def parameter_problems(
    provider: str, endpoint: Endpoint, params: tuple[tuple[str, str], ...]
) -> list[str]:
    """Each way the query breaks the method's declared parameters (empty when it keeps them)."""
    declared = method_of(provider, endpoint.operation)["parameters"]
    problems: list[str] = []
    for name in dict.fromkeys(name for name, _ in params):
        values = [v for n, v in params if n == name]
        found = declared.get(name)
        if found is None or found.get("location") != "query":
            problems.append(f"{name}: not a query parameter of {endpoint.operation}")
            continue
        if len(values) > 1 and not found.get("repeated"):
            problems.append(f"{name}: sent {len(values)} times, not repeated")
        problems += [f"{name}={v}: {p}" for v in values if (p := _value_problem(found, v))]
    return problems


def _value_problem(declared: dict[str, Any], value: str) -> str | None:
    """The first way ``value`` is not of the parameter's declared type, enum or format."""
    kind, fmt = declared.get("type"), declared.get("format")
    number = re.fullmatch(r"-?[0-9]+", value) is not None
    low = int(declared.get("minimum", 0 if fmt == "uint32" else -(2**31)))
    high = int(declared.get("maximum", 2**32 - 1 if fmt == "uint32" else 2**31 - 1))
    checks = (
        ("enum" in declared and value not in declared["enum"], "not in the enum"),
        (kind == "boolean" and value not in ("true", "false"), "not a boolean"),
        (kind == "integer" and not number, "not an integer"),
        (kind == "integer" and number and not low <= int(value) <= high, "out of range"),
        (fmt == "int64" and not number, "not an int64"),
        (fmt == "uint64" and not (value.isascii() and value.isdigit()), "not a uint64"),
        (fmt == "date-time" and not format_checker().conforms(value, "date-time"), "not RFC 3339"),
    )
    return next((problem for failed, problem in checks if failed), None)


def response_errors(provider: str, endpoint: Endpoint, status: int, body: Any) -> list[str]:
    """What in the body breaks the method's response schema (2xx) or Google's error body."""
    if 200 <= status < 300:
        validator = _validator(
            provider, method_of(provider, endpoint.operation)["response"]["$ref"]
        )
    else:
        validator = _validator(provider, None)
    return _messages(validator, body) + _code_problem(status, body)


def error_problems(status: int, body: Any) -> list[str]:
    """What in an error answer breaks Google's documented error body."""
    return _messages(_validator("gmail", None), body) + _code_problem(status, body)


def _code_problem(status: int, body: Any) -> list[str]:
    error = body.get("error") if isinstance(body, dict) else None
    if status < 400 or not isinstance(error, dict):
        return []
    problems = [] if error.get("code") == status else [f"error.code is not {status}"]
    state = error.get("status")
    if state is not None and state not in CANONICAL_OF.get(status, {state}):
        problems.append(f"error.status {state} is not the canonical code of {status}")
    return problems


@cache
def _validator(provider: str, schema_id: str | None) -> Draft7Validator:
    """One per schema: a sync reads hundreds of messages, each checked against the same one."""
    schema = schema_for(spec(DOCUMENTS[provider]), schema_id) if schema_id else ERROR_SCHEMA
    return Draft7Validator(schema, format_checker=format_checker())


def error_messages(schema: dict[str, Any], body: Any) -> list[str]:
    return _messages(Draft7Validator(schema, format_checker=format_checker()), body)


def _messages(validator: Draft7Validator, body: Any) -> list[str]:
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(body)
    ]


class SandboxGrant:
    """The connection's token, as ``ConnectionTokens`` would hand it: refreshed at the sandbox's
    token endpoint when the API refuses it (the clock is moved on by days in these runs)."""

    def __init__(self, client: httpx.AsyncClient, tokens: dict[str, Any], provider: str) -> None:
        self._client, self._refresh, self._provider = client, tokens["refresh_token"], provider
        self._access = tokens["access_token"]

    async def token(self, rejected: Secret[str] | None = None) -> AccessGrant:
        if rejected is not None:
            answer = await refresh(self._client, "google", self._refresh)
            self._access = answer.json()["access_token"]
        return AccessGrant(
            connection_id=uuid4(), provider=self._provider, access_token=Secret(self._access),
            expires_at=None, api_base=BASE + API_BASES[self._provider],
        )  # fmt: skip


def connection(provider: str, now: datetime) -> Connection:
    return Connection(
        id=uuid4(), tenant_id=TenantId(uuid4()), user_id=UserId(uuid4()), provider=provider,
        status=ConnectionStatus.ACTIVE, scopes_requested=tuple(SCOPES.split()),
        created_at=now, updated_at=now,
    )  # fmt: skip


class NothingHeld:
    """A graph that holds nothing yet: the connector's first pass over a fresh connection."""

    async def entity_ids(self, entity_type: str) -> set[str]:
        return set()

    async def activity_ids(self, source_id_prefix: str) -> set[str]:
        return set()


@asynccontextmanager
async def recorded_api(
    h: Harness, provider: str
) -> AsyncIterator[tuple[ProviderApi, list[Exchange]]]:
    """The real ``ProviderApi`` over the sandbox, and every exchange it has, in order."""
    exchanges: list[Exchange] = []
    root = f"{BASE}/google"

    async def record(response: httpx.Response) -> None:
        await response.aread()
        request = response.request
        exchanges.append(
            Exchange(
                method=request.method,
                path=str(request.url.copy_with(query=None)).removeprefix(root),
                params=tuple(request.url.params.multi_items()),
                status=response.status_code,
                body=response.json() if response.content else None,
            )
        )

    async def no_sleep(seconds: float) -> None:
        return None

    tokens = await connect(h.client, "google", scope=SCOPES)
    transport = httpx.ASGITransport(app=create_sandbox_app(h.sandbox))
    hooks = {"response": [record]}
    async with httpx.AsyncClient(transport=transport, event_hooks=hooks) as http:
        api = ProviderApi(http, SandboxGrant(h.client, tokens, provider), h.clock, sleep=no_sleep)
        yield api, exchanges
