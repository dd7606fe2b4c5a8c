"""A Google discovery document's ``schemas`` as JSON Schema (draft 7), for the fidelity checks.

Discovery schemas are their own dialect (https://developers.google.com/discovery/v1/reference/apis):
``type``, ``properties``, ``items``, ``$ref`` naming another schema's id, ``format``, ``enum``,
``additionalProperties``. The translation is mechanical, with three decisions:

- ``format`` becomes what a validator can check: ``int64``/``uint64`` are JSON *strings* of
  digits (Google's JSON mapping serialises 64-bit integers as strings), ``int32``/``uint32``
  bound the integer, ``byte`` is base64 (standard or URL-safe), ``date-time``,
  ``google-datetime`` and ``date`` keep JSON Schema's formats.
- An object that lists its ``properties`` and says nothing of others is closed
  (``additionalProperties: false``): a field the spec does not define is a finding, not noise.
  Where the document defines ``additionalProperties`` (a map), that schema is kept.
- Nothing is ``required``: discovery documents mark no response field required (their
  ``annotations.required`` name request methods), so neither does the translation.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from jsonschema import FormatChecker

DRAFT = "http://json-schema.org/draft-07/schema#"
INT32 = (-(2**31), 2**31 - 1)
UINT32 = (0, 2**32 - 1)
PATTERNS = {
    "int64": r"^-?[0-9]{1,19}$",  # at most 19 digits: the range itself is not a pattern
    "uint64": r"^[0-9]{1,20}$",
    "byte": r"^[A-Za-z0-9+/_-]*={0,2}$",
}
FORMATS = {"date-time": "date-time", "google-datetime": "date-time", "date": "date"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
JSON_TYPES = {"string", "integer", "number", "boolean", "object", "array", "null"}


def definitions(document: dict[str, Any]) -> dict[str, Any]:
    """Every schema of the document, by id, translated (``$ref`` → ``#/definitions/<id>``)."""
    return {name: convert(schema) for name, schema in document.get("schemas", {}).items()}


def schema_for(document: dict[str, Any], schema_id: str) -> dict[str, Any]:
    """A self-contained JSON Schema for one of the document's schemas."""
    if schema_id not in document.get("schemas", {}):
        raise KeyError(f"the discovery document has no schema {schema_id!r}")
    return {
        "$schema": DRAFT,
        "$ref": f"#/definitions/{schema_id}",
        "definitions": definitions(document),
    }


def convert(schema: dict[str, Any]) -> dict[str, Any]:
    """One discovery schema (or property, or item) as JSON Schema."""
    if "$ref" in schema:
        return {"$ref": f"#/definitions/{schema['$ref']}"}
    kind = schema.get("type")
    out: dict[str, Any] = {}
    if kind in JSON_TYPES:
        out["type"] = kind
    elif kind not in (None, "any"):
        raise ValueError(f"unknown discovery type {kind!r}")
    if "enum" in schema:
        out["enum"] = list(schema["enum"])
    out |= _format(kind, schema.get("format"))
    if kind == "array" and "items" in schema:
        out["items"] = convert(schema["items"])
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties")
        if properties is not None:
            out["properties"] = {name: convert(p) for name, p in properties.items()}
        extra = schema.get("additionalProperties")
        if extra is not None:
            out["additionalProperties"] = convert(extra) if isinstance(extra, dict) else extra
        elif properties is not None:
            out["additionalProperties"] = False
    return out


def _format(kind: str | None, fmt: str | None) -> dict[str, Any]:
    if fmt is None:
        return {}
    if kind == "integer" and fmt in ("int32", "uint32"):
        low, high = INT32 if fmt == "int32" else UINT32
        return {"minimum": low, "maximum": high}
    if kind == "string" and fmt in PATTERNS:
        return {"pattern": PATTERNS[fmt]}
    if kind == "string" and fmt in FORMATS:
        return {"format": FORMATS[fmt]}
    if kind == "number" and fmt in ("double", "float"):
        return {}
    raise ValueError(f"unknown discovery format {fmt!r} for type {kind!r}")


def format_checker() -> FormatChecker:
    """jsonschema's format checks, with ``date-time`` checked here: jsonschema leaves it
    unchecked unless an optional package is installed, and a silent check could not fail."""
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value: object) -> bool:
        if not isinstance(value, str):
            return True
        if RFC3339.match(value) is None:
            return False
        # RFC 3339 allows a leap second (:60); Python's datetime does not, so read it as :59.
        datetime.fromisoformat(re.sub(r":60(?=[.Zz+-])", ":59", value.upper()))
        return True

    return checker


def inlined(schema: dict[str, Any], depth: int = 3) -> Any:
    """``schema_for``'s answer with every ``$ref`` copied in, for generators that cannot follow
    recursive references (Gmail's ``MessagePart.parts``). A reference nested deeper than
    ``depth`` times becomes ``false``: that field is left out, which the original allows
    (nothing is required), so every instance of the result is an instance of the original."""
    defs = schema["definitions"]

    def walk(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [walk(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            name = node["$ref"].removeprefix("#/definitions/")
            if seen.count(name) >= depth:
                return False
            return walk(defs[name], (*seen, name))
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "properties":
                out[key] = {name: walk(p, seen) for name, p in value.items()}
            elif key in ("items", "additionalProperties"):
                out[key] = walk(value, seen)
            elif key not in ("definitions", "$schema"):
                out[key] = value
        return out

    return {"$schema": DRAFT, **walk({"$ref": schema["$ref"]}, ())}
