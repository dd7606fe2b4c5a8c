"""Hostile values, and the requests that carry them into every input of an API operation.

Each value goes into one place at a time (a path parameter, a query parameter, a declared
header, a body field, a cookie Atlas reads), the rest of the request as schemathesis generated
it, with valid values where a generated one would be refused first (an address, a provider, the
member's password): the value then reaches the code behind its place, past the other checks.
A value is written the way an attacker can put it on the wire there: a lone surrogate cannot
be encoded as UTF-8, so a JSON body carries it as the escape ``"\\ud800"`` (what the JSON
encoder writes), a URL as the bytes UTF-8 would give it (``%ED%A0%80``); NUL, CR and LF cannot
be sent in a header at all. Raw bodies carry what no JSON encoder writes: invalid UTF-8 and
nesting deeper than a decoder's recursion limit.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

from tests.factories.sessions import PASSWORD

# In a JSON body: the encoder escapes NUL ("\u0000") and surrogates ("\ud800").
TEXTS: dict[str, str] = {  # long enough to pass a password's or a name's length check
    "NUL": "a valid-looking\x00value",
    "NUL in an address": "ada\x00lovelace@example.com",
    "lone high surrogate": "\ud800 a valid-looking value",
    "lone low surrogate in an address": "ada\udfff@example.com",
    "CR LF": "a\r\nERROR - atlas.auth - forged line",
    "controls": "\x1b[2J\x07\x7f\u2028\u202e\u200b a valid-looking value",
    "overlong": "x" * 100_000,
}
# In a path segment: requests percent-encodes what it must and keeps the escapes given here.
PATH: dict[str, str] = {
    "NUL": "a\x00b",
    "encoded surrogate": "%ED%A0%80x",
    "invalid UTF-8": "%FF%FEx",
    "CR LF": "a\r\nb",
    "controls": "\x1b\x07\x7f",
    "encoded slash": "..%2F..%2Fetc",
    "overlong": "x" * 6_000,  # under the server's 16 KiB head limit, over every field's
}
# In a query value: bytes are percent-encoded as they are.
QUERY: dict[str, str | bytes] = {
    "NUL": "a\x00b",
    "encoded surrogate": b"\xed\xa0\x80x",
    "invalid UTF-8": b"\xff\xfex",
    "CR LF": "a\r\nb",
    "controls": "\x1b\x07\x7f\u2028",
    "escaped NUL in JSON": json.dumps(["a\x00b"]),  # passes the URL; a handler decodes it
    "escaped surrogate in JSON": json.dumps(["\ud800x"]),
    "overlong": "x" * 6_000,
}
# In a header or a cookie: latin-1 on the wire, so U+00ED U+00A0 U+0080 are the surrogate's
# UTF-8 bytes, and U+00FF is invalid UTF-8.
HEADER: dict[str, str] = {
    "encoded surrogate": "\xed\xa0\x80x",
    "invalid UTF-8": "\xff\xfex",
    "percent-encoded NUL": "a%00b",
    "overlong": "x" * 6_000,
}
# Valid values under the hostile one, so it meets the code past the other fields' checks (a
# generated email or provider is refused first). Passwords are the member's own.
BODY_VALUES: dict[str, Any] = {
    "email": None,  # a new address each time: see ``_valid``
    "password": PASSWORD,
    "current_password": PASSWORD,
    "new_password": PASSWORD,
    "name": "Ada Lovelace",
    "organisation": "Acme",
    "confirm_name": "Hostile",
    "provider": "zendesk",
    "subdomain": "acme",
    "purpose": "crm",
    "value": "k" * 24,
    "role": "member",
}
PATH_VALUES = {"name": "hubspot", "platform": "hubspot"}
QUERY_VALUES = {"object_type": "order"}
# Headers Atlas reads beside the declared ones: at sign-in, for the browser session, to log.
READ_HEADERS = ("User-Agent", "X-Forwarded-For", "Origin", "X-Request-Id")
# Cookies Atlas reads: the OAuth binding and the browser session's refresh token.
COOKIES = ("__Host-atlas_oauth", "__Host-atlas_refresh")


def nested(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


@dataclass(frozen=True)
class Variant:
    """One hostile request: where the value went, and the request's parts."""

    label: str
    path_parameters: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, Any]
    cookies: dict[str, Any]
    body: Any
    media_type: str | None
    bearer: str | None = None  # an access token of its own instead of the member's


def variants(operation: Any, base: Any, reads_cookies: bool) -> Iterator[Variant]:
    """Every hostile value in every place of ``operation``, on top of the generated ``base``."""
    parts = {
        "path_parameters": _valid(base.path_parameters, PATH_VALUES),
        "query": _valid(base.query, QUERY_VALUES),
        "headers": dict(base.headers or {}),
        # A plausible cookie beside each hostile value elsewhere: the code behind it runs.
        "cookies": {
            **(base.cookies or {}),
            **(dict.fromkeys(COOKIES, "a0b1c2") if reads_cookies else {}),
        },
        "body": base.body,
        "media_type": base.media_type,
    }
    for parameter in operation.definition.raw.get("parameters", []):
        name, where = parameter["name"], parameter["in"]
        values: dict[str, Any] = {"path": PATH, "query": QUERY, "header": HEADER}.get(where, {})
        key = {"path": "path_parameters", "query": "query", "header": "headers"}.get(where)
        for value_name, value in values.items():
            if key is not None:
                changed = {**parts, key: {**parts[key], name: value}}
                yield Variant(label=f"{where} {name}: {value_name}", **changed)
    for value_name, value in HEADER.items():
        yield Variant(label=f"bearer token: {value_name}", bearer=value, **parts)
        if not reads_cookies:
            continue
        cookies = {**parts["cookies"], **dict.fromkeys(COOKIES, value)}
        yield Variant(label=f"cookies: {value_name}", **{**parts, "cookies": cookies})
        for header in READ_HEADERS:
            headers = {**parts["headers"], header: value}
            yield Variant(label=f"header {header}: {value_name}", **{**parts, "headers": headers})
    yield from _json_bodies(operation, parts)


def _json_bodies(operation: Any, parts: dict[str, Any]) -> Iterator[Variant]:
    fields = json_body_fields(operation)
    if fields is None:
        return
    generated = parts["body"] if isinstance(parts["body"], dict) else {}
    base = _valid(generated, BODY_VALUES, fields)
    json_parts = {**parts, "media_type": "application/json"}
    for field in fields:
        for value_name, value in TEXTS.items():
            body = {**_valid(generated, BODY_VALUES, fields), field: value}  # a new address
            yield Variant(label=f"body {field}: {value_name}", **{**json_parts, "body": body})
    field = fields[0] if fields else "x"
    marked = json.dumps({**base, field: "\x01HOSTILE\x01"}).encode()
    raw = {
        "invalid UTF-8": marked.replace(b"\\u0001HOSTILE\\u0001", b"a\xff\xfeb"),
        "UTF-8 of a surrogate": marked.replace(b"\\u0001HOSTILE\\u0001", b"\xed\xa0\x80x"),
        "raw NUL in a string": marked.replace(b"\\u0001HOSTILE\\u0001", b"a\x00b"),
        "nested 1,000 deep": marked.replace(b'"\\u0001HOSTILE\\u0001"', nested(1_000)),
        "nested 100,000 deep": marked.replace(b'"\\u0001HOSTILE\\u0001"', nested(100_000)),
        "nested 1,000 deep, whole": nested(1_000),
        "escaped NUL in a key": b'{"\\u0000":1}',
        "escaped surrogate in a key": b'{"\\udfff":1}',
    }
    for value_name, content in raw.items():
        yield Variant(label=f"raw body: {value_name}", **{**json_parts, "body": content})


def _valid(
    generated: dict[str, Any] | None, values: dict[str, Any], fields: list[str] | None = None
) -> dict[str, Any]:
    """The generated values, with the valid ones above for the fields the operation has."""
    chosen = dict(generated or {})
    for field in fields if fields is not None else list(chosen):
        if field in values:
            chosen[field] = values[field] or f"hostile-{uuid4().hex[:12]}@example.com"
    return chosen


def json_body_fields(operation: Any) -> list[str] | None:
    """The top-level properties of the operation's JSON body, or None if it takes no JSON."""
    body = operation.definition.raw.get("requestBody", {}).get("content", {})
    schema = body.get("application/json", {}).get("schema")
    if schema is None:
        return None
    resolved = _resolve(operation.schema.raw_schema, schema)
    if resolved.get("format") == "binary":
        return None  # a file (the import): its own hostile contents are in ocel_documents
    return sorted(resolved.get("properties", {}))


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for step in schema["$ref"].removeprefix("#/").split("/"):
            node = node[step]
        schema = node
    return schema


# In XML: character references, the only way to write NUL or a surrogate (expat refuses both).
XML: dict[str, str] = {
    "NUL": "a&#0;b",
    "surrogate": "&#xD800;x",
    "CR LF": "a&#13;&#10;b",
    "controls": "&#x1b;&#x7;",
    "overlong": "x" * 100_000,
}


def import_documents() -> dict[str, bytes]:
    """OCEL 2.0 and XES files whose ids, types and names hold each hostile text, and files
    that are not UTF-8 or nest too deeply: an import refuses them with a problem, never fails."""
    documents = {}
    for value_name, text in TEXTS.items():
        for where in ("object id", "object type", "event id", "event type", "attribute name"):
            documents[f"OCEL {where}: {value_name}"] = json.dumps(_ocel(where, text)).encode()
    for value_name, text in XML.items():
        for where in ("trace name", "event name", "resource"):
            documents[f"XES {where}: {value_name}"] = _xes(where, text)
    documents["OCEL invalid UTF-8"] = (
        json.dumps(_ocel("object id", "\x01")).encode().replace(b"\\u0001", b"\xff\xfe")
    )
    documents["OCEL nested 100,000 deep"] = b'{"objects":[{"id":' + nested(100_000) + b"}]}"
    return documents


def _ocel(where: str, text: str) -> dict[str, Any]:
    object_id = text if where == "object id" else "o1"
    object_type = text if where == "object type" else "order"
    event_id = text if where == "event id" else "e1"
    event_type = text if where == "event type" else "placed"
    attribute = text if where == "attribute name" else "amount"
    return {
        "objectTypes": [{"name": object_type, "attributes": []}],
        "eventTypes": [{"name": event_type, "attributes": [{"name": attribute, "type": "float"}]}],
        "objects": [{"id": object_id, "type": object_type}],
        "events": [{
            "id": event_id, "type": event_type, "time": "2026-01-15T09:30:00Z",
            "attributes": [{"name": attribute, "value": 1.5}],
            "relationships": [{"objectId": object_id, "qualifier": "order"}],
        }],
    }  # fmt: skip


def _xes(where: str, text: str) -> bytes:
    trace = text if where == "trace name" else "case 1"
    event = text if where == "event name" else "placed"
    resource = text if where == "resource" else "ada"
    return (
        '<?xml version="1.0" encoding="UTF-8"?><log xmlns="http://www.xes-standard.org/">'
        f'<trace><string key="concept:name" value="{trace}"/><event>'
        f'<string key="concept:name" value="{event}"/>'
        f'<string key="org:resource" value="{resource}"/>'
        '<date key="time:timestamp" value="2026-01-15T09:30:00Z"/></event></trace></log>'
    ).encode()
