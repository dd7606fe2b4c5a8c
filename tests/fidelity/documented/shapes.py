"""Small builders for the hand-written schemas: every object says whether it is open."""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
INTEGER: Schema = {"type": "integer"}
NUMBER: Schema = {"type": "number"}
BOOLEAN: Schema = {"type": "boolean"}
ANY: Schema = {}


def nullable(schema: Schema) -> Schema:
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: Schema, **extra: Any) -> Schema:
    return {"type": "array", "items": items, **extra}


def closed(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """An object with exactly these properties (the documented ones): nothing else."""
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": sorted(required),
        "additionalProperties": False,
    }


def open_bag(
    required: dict[str, Schema], optional: dict[str, Schema] | None = None, values: Schema = ANY
) -> Schema:
    """An object the documentation leaves open (a record's fields): the named properties have
    their documented types, any other is allowed (as ``values``)."""
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": sorted(required),
        "additionalProperties": values,
    }


def untyped(names: str) -> dict[str, Schema]:
    """Documented properties the connector does not read: allowed, any type."""
    return dict.fromkeys(names.split(), ANY)
