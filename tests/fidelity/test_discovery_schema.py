"""The discovery-to-JSON-Schema translation: small hand-written fragments, then the real
Gmail and Calendar documents, every schema of which must translate into a valid JSON Schema."""

from __future__ import annotations

from typing import Any

import pytest
from jsonschema import Draft7Validator

from tests.factories.discovery_schema import convert, format_checker, inlined, schema_for
from tests.factories.provider_specs import spec

pytestmark = pytest.mark.unit

# The translation itself: no sandbox answer is checked here (test_google_contract.py does).
COVERED: frozenset[tuple[str, str, str]] = frozenset()

DOCS = ("google/gmail.v1.json", "google/calendar.v3.json")
FRAGMENT: dict[str, Any] = {
    "schemas": {
        "Part": {
            "id": "Part",
            "type": "object",
            "properties": {
                "size": {"type": "integer", "format": "int32"},
                "internalDate": {"type": "string", "format": "int64"},
                "historyId": {"type": "string", "format": "uint64"},
                "data": {"type": "string", "format": "byte"},
                "kind": {"type": "string", "enum": ["a", "b"], "enumDescriptions": ["", ""]},
                "parts": {"type": "array", "items": {"$ref": "Part"}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "when": {"type": "string", "format": "date-time"},
            },
        }
    }
}


def valid(schema: dict[str, Any], instance: Any) -> bool:
    return Draft7Validator(schema, format_checker=format_checker()).is_valid(instance)


def test_each_discovery_keyword_becomes_its_json_schema_form() -> None:
    part = convert(FRAGMENT["schemas"]["Part"])

    assert part["type"] == "object"
    assert part["additionalProperties"] is False  # properties listed, nothing said of others
    assert part["properties"]["size"] == {
        "type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1,
    }  # fmt: skip
    assert part["properties"]["internalDate"] == {"type": "string", "pattern": r"^-?[0-9]{1,19}$"}
    assert part["properties"]["historyId"] == {"type": "string", "pattern": r"^[0-9]{1,20}$"}
    assert part["properties"]["kind"] == {"type": "string", "enum": ["a", "b"]}
    assert part["properties"]["parts"] == {
        "type": "array", "items": {"$ref": "#/definitions/Part"},
    }  # fmt: skip
    assert part["properties"]["labels"] == {
        "type": "object", "additionalProperties": {"type": "string"},
    }  # fmt: skip
    assert part["properties"]["when"] == {"type": "string", "format": "date-time"}


@pytest.mark.parametrize(
    ("instance", "ok"),
    [
        ({"internalDate": "1700000000000", "historyId": "42", "parts": [{"size": 3}]}, True),
        ({"internalDate": 1700000000000}, False),  # Google's int64 is a string
        ({"historyId": "-1"}, False),  # uint64 has no sign
        ({"historyId": "1" * 21}, False),  # longer than any uint64
        ({"size": 2**31}, False),  # beyond int32
        ({"kind": "c"}, False),  # not in the enum
        ({"parts": [{"sizes": 3}]}, False),  # a renamed field in a nested $ref
        ({"labels": {"x": "y", "z": "w"}}, True),  # a map takes any key
        ({"labels": {"x": 1}}, False),  # but only values of its schema
        ({"data": "aGVsbG8_-w=="}, True),  # URL-safe base64
        ({"data": "not base64!"}, False),
        ({"when": "2026-01-20T12:00:00Z"}, True),
        ({"when": "yesterday"}, False),
        ({"when": "2026-02-30T12:00:00Z"}, False),  # shaped right, but no such day
    ],
)
def test_the_translation_accepts_what_the_spec_allows_and_refuses_the_rest(
    instance: dict[str, Any], ok: bool
) -> None:
    assert valid(schema_for(FRAGMENT, "Part"), instance) is ok


def test_an_unknown_schema_id_or_format_is_refused() -> None:
    with pytest.raises(KeyError):
        schema_for(FRAGMENT, "Nope")
    with pytest.raises(ValueError, match="format"):
        convert({"type": "string", "format": "int128"})


def test_inlining_bounds_a_recursive_reference_and_keeps_the_same_meaning() -> None:
    flat = inlined(schema_for(FRAGMENT, "Part"), depth=2)
    nested = {"parts": [{"parts": [{"size": 1}]}]}

    assert "$ref" not in str(flat)
    assert flat["properties"]["parts"]["items"]["properties"]["parts"]["items"] is False
    assert valid(flat, {"parts": [{"size": 1}]})
    assert not valid(flat, nested)  # deeper than the bound: left out, never wrongly allowed
    assert valid(schema_for(FRAGMENT, "Part"), nested)


@pytest.mark.parametrize("document", DOCS)
def test_every_schema_of_the_real_documents_is_a_valid_json_schema(document: str) -> None:
    schemas = spec(document)["schemas"]
    for schema_id in schemas:
        translated = schema_for(spec(document), schema_id)
        Draft7Validator.check_schema(translated)
        Draft7Validator.check_schema(inlined(translated))

    assert len(schemas) > 30  # Gmail 52, Calendar 34: the loop above saw them all


@pytest.mark.parametrize(
    ("document", "schema_id", "instance"),
    [
        (
            "google/gmail.v1.json",
            "Message",
            {"id": "1", "threadId": "1", "internalDate": "5", "payload": {"headers": []}},
        ),
        (
            "google/calendar.v3.json",
            "Event",
            {"id": "e1", "start": {"dateTime": "2026-01-20T12:00:00Z"}, "attendees": []},
        ),
    ],
)
def test_a_real_schema_accepts_a_real_shape_and_refuses_a_renamed_field(
    document: str, schema_id: str, instance: dict[str, Any]
) -> None:
    schema = schema_for(spec(document), schema_id)

    assert valid(schema, instance)
    assert not valid(schema, {**instance, "threadID": "1"})
