"""Provider answers generated from the providers' own schemas, for feeding the connectors.

``generation_schema`` is a discovery schema inlined for hypothesis-jsonschema, with ``required``
added where the connector's msgspec struct has a field without a default: the spec marks no
field required, and the connector refuses an answer without its identity fields as unreadable
(a controlled ``SourceRefused``, checked separately), so generating those adds nothing.
``with_canaries`` marks every content string (subject, snippet, body, summary, description,
location, display names...) so a test can tell whether any of it reached the graph.
"""

from __future__ import annotations

import itertools
from typing import Any

import msgspec
from msgspec import inspect

from tests.factories.discovery_schema import inlined, schema_for
from tests.factories.provider_specs import spec

CANARY = "ATLAS-CONTENT-"
# Fields that carry what people wrote, wherever they appear in a Gmail or Calendar answer.
CONTENT_KEYS = frozenset({
    "snippet", "raw", "data", "filename", "summary", "description", "location", "displayName",
    "comment", "title", "notes", "label", "hangoutLink", "summaryOverride", "customLocation",
})  # fmt: skip
MAX_ITEMS = 3
KEPT_HEADERS = frozenset({"from", "to", "cc", "date", "message-id"})


def generation_schema(
    document: str, schema_id: str, struct: type[msgspec.Struct], depth: int = 2
) -> dict[str, Any]:
    schema = inlined(schema_for(spec(document), schema_id), depth=depth)
    _require(schema, inspect.type_info(struct))
    _bound_arrays(schema, MAX_ITEMS)
    return schema


def _bound_arrays(node: Any, most: int) -> None:
    """At most ``most`` items per array: short lists exercise the same code as long ones, and
    a page of pages of messages is slow to generate on a shared machine. Every instance of
    the bounded schema is still one of the spec's."""
    if isinstance(node, list):
        for item in node:
            _bound_arrays(item, most)
    elif isinstance(node, dict):
        if node.get("type") == "array":
            node["maxItems"] = most
        for key, value in node.items():
            if key not in ("enum", "required"):
                _bound_arrays(value, most)


def _require(schema: Any, info: inspect.Type) -> None:
    """Adds the struct's fields without a default to ``required``, descending alongside."""
    if not isinstance(schema, dict):
        return
    if isinstance(info, inspect.UnionType):
        for member in info.types:
            _require(schema, member)
    elif isinstance(info, inspect.ListType):
        _require(schema.get("items"), info.item_type)
    elif isinstance(info, inspect.StructType):
        properties = schema.get("properties", {})
        for field in info.fields:
            if field.encode_name not in properties:
                continue
            if field.required:
                schema["required"] = sorted({*schema.get("required", ()), field.encode_name})
            _require(properties[field.encode_name], field.type)


def with_canaries(answer: Any) -> tuple[Any, list[str]]:
    """The answer with each content string prefixed by a unique marker, and those strings.
    Header values are content unless the header is one the connector keeps (From, To...)."""
    counter = itertools.count()
    marked: list[str] = []

    def mark(value: str) -> str:
        text = f"{CANARY}{next(counter)}-{value}"
        marked.append(text)
        return text

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key in CONTENT_KEYS and isinstance(value, str) and key not in ("data", "raw"):
                out[key] = mark(value)
            else:
                out[key] = walk(value)
        header, value = out.get("name"), out.get("value")
        if (
            isinstance(header, str)
            and isinstance(value, str)
            and header.lower() not in KEPT_HEADERS
        ):
            out["value"] = mark(value)
        return out

    return walk(answer), marked
