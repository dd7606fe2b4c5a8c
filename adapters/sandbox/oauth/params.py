"""Reading OAuth parameters strictly: each at most once, from the place the spec allows."""

from __future__ import annotations

import binascii
from base64 import b64decode
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, unquote

import msgspec
from litestar import Request

from adapters.sandbox.oauth.refusal import Reason, Refused

AnyRequest = Request[Any, Any, Any]


def single_values(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """RFC 6749 §3.1: parameters must not be repeated; an empty value counts as absent."""
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in values:
            raise Refused(Reason.INVALID_REQUEST, f"parameter {name} is repeated")
        values[name] = value
    return {name: value for name, value in values.items() if value != ""}


def query_pairs(request: AnyRequest) -> list[tuple[str, str]]:
    raw = request.scope.get("query_string", b"")
    return parse_qsl(raw.decode("latin-1"), keep_blank_values=True)


async def body_values(request: AnyRequest, *, json_ok: bool) -> dict[str, str]:
    """The form body (or a JSON object where the provider documents one), never the URL."""
    if query_pairs(request):
        # Secrets in a URL end up in access logs; HubSpot's v3 endpoints refuse them for that.
        raise Refused(Reason.PARAMS_IN_QUERY, "send parameters in the request body")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if content_type == "application/x-www-form-urlencoded":
        return single_values(parse_qsl(body.decode(), keep_blank_values=True))
    if content_type == "application/json" and json_ok:
        try:
            data = msgspec.json.decode(body)
        except msgspec.DecodeError:
            raise Refused(Reason.INVALID_REQUEST, "body is not JSON") from None
        if not isinstance(data, dict):
            raise Refused(Reason.INVALID_REQUEST, "body must be a JSON object")
        return {str(k): str(v) for k, v in data.items() if v is not None and v != ""}
    raise Refused(Reason.INVALID_REQUEST, "unsupported content type")


def basic_credentials(request: AnyRequest) -> tuple[str, str] | None:
    """``client_secret_basic`` (RFC 6749 §2.3.1): both parts form-urlencoded, then base64."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise Refused(Reason.BAD_SECRET, "malformed basic credentials") from None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        raise Refused(Reason.BAD_SECRET, "malformed basic credentials")
    return unquote(client_id), unquote(secret)
