"""The OpenAPI 2.0 reading the Slack checks rest on: references, extensions, Slack's list-form
alternatives, closed objects, parameters; on a small document and on Slack's own."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from tests.factories.openapi_schema import (
    SpecError,
    parameter_problems,
    parameters,
    response_schema,
)
from tests.factories.provider_specs import SLACK_WEB, spec

pytestmark = pytest.mark.unit

ANSWER: dict[str, Any] = {
    "type": "object",
    "x-examples": {"ok": True},
    "properties": {
        "user": {"$ref": "#/definitions/member"},
        "bot": {"items": [{"$ref": "#/definitions/id"}, {"type": "null"}]},
        "open": {"$ref": "#/definitions/open"},
    },
}
DOCUMENT: dict[str, Any] = {
    "swagger": "2.0",
    "definitions": {
        "id": {"type": "string", "pattern": "^U[A-Z0-9]+$", "x-internal": True},
        "member": {
            "type": "object",
            "properties": {"id": {"$ref": "#/definitions/id"}, "x-tag": {"type": "integer"}},
            "required": ["id"],
        },
        "open": {
            "type": "object",
            "properties": {"a": {"type": "integer"}},
            "additionalProperties": True,
        },
        "loop": {"type": "object", "properties": {"next": {"$ref": "#/definitions/loop"}}},
    },
    "paths": {
        "/users.info": {
            "get": {
                "parameters": [
                    {"name": "user", "in": "query", "type": "string"},
                    {"name": "limit", "in": "query", "type": "integer"},
                    {"name": "oldest", "in": "query", "type": "number"},
                    {"name": "inclusive", "in": "query", "type": "boolean"},
                ],
                "responses": {
                    "200": {"schema": ANSWER},
                    "default": {"schema": {"$ref": "#/definitions/loop"}},
                },
            }
        }
    },
}


def valid(schema: dict[str, Any], instance: Any) -> bool:
    return jsonschema.Draft4Validator(schema).is_valid(instance)


def test_references_are_inlined_and_extensions_dropped() -> None:
    schema = response_schema(DOCUMENT, "/users.info")

    assert "$ref" not in str(schema)
    assert "x-examples" not in schema
    assert "x-internal" not in str(schema)
    assert "x-tag" in schema["properties"]["user"]["properties"]  # a property, not an extension
    assert valid(schema, {"user": {"id": "U1"}})
    assert not valid(schema, {"user": {"id": "C1"}})  # the referenced pattern holds
    assert not valid(schema, {"user": {"id": 1}})  # a number served as a string fails
    assert not valid(schema, {"user": {}})


def test_an_object_defining_properties_is_closed_unless_the_spec_opens_it() -> None:
    schema = response_schema(DOCUMENT, "/users.info")

    assert not valid(schema, {"user": {"id": "U1", "email": "a@b.c"}})  # a renamed field
    assert not valid(schema, {"usr": {"id": "U1"}})
    assert valid(schema, {"open": {"a": 1, "anything": "else"}})
    assert valid(response_schema(DOCUMENT, "/users.info", closed=False), {"usr": 1})


def test_list_form_items_off_an_array_are_alternatives() -> None:
    schema = response_schema(DOCUMENT, "/users.info")

    assert valid(schema, {"bot": "U1"})
    assert valid(schema, {"bot": None})
    assert not valid(schema, {"bot": 3})  # as plain draft 4 it would have passed


def test_a_reference_cycle_a_missing_response_and_a_missing_path_are_refused() -> None:
    with pytest.raises(SpecError, match="cycle"):
        response_schema(DOCUMENT, "/users.info", "default")
    with pytest.raises(SpecError, match="no 404"):
        response_schema(DOCUMENT, "/users.info", "404")
    with pytest.raises(SpecError, match="no GET"):
        response_schema(DOCUMENT, "/users.list")


def test_parameters_sent_are_declared_and_typed() -> None:
    declared = parameters(DOCUMENT, "/users.info")
    good = {"user": "U1", "limit": "200", "oldest": "1712345678.000200", "inclusive": "true"}

    assert parameter_problems(declared, good) == []
    assert parameter_problems(declared, {"usr": "U1"}) == ["usr: not a declared parameter"]
    assert parameter_problems(declared, {"limit": "2.5"}) == ["limit='2.5': not a integer"]
    assert parameter_problems(declared, {"oldest": "yesterday"}) == [
        "oldest='yesterday': not a number"
    ]
    assert parameter_problems(declared, {"inclusive": "yes"}) == ["inclusive='yes': not a boolean"]


def test_slacks_schemas_convert_and_hold_a_documented_answer() -> None:
    document = spec(SLACK_WEB)
    schema = response_schema(document, "/users.info")
    member = {
        "id": "U0123ABCD",
        "name": "maya",
        "is_bot": False,
        "updated": 1735689600,
        "is_app_user": False,
        "profile": {
            "real_name": "Maya", "display_name": "Maya", "avatar_hash": "", "phone": "",
            "skype": "", "real_name_normalized": "Maya", "display_name_normalized": "Maya",
            "title": "", "status_text": "", "status_emoji": "", "fields": {},
        },
    }  # fmt: skip

    assert valid(schema, {"ok": True, "user": member})
    assert not valid(schema, {"ok": True, "user": {**member, "updated": "1735689600"}})
    assert not valid(schema, {"ok": True, "user": {**member, "is_bot": "false"}})
