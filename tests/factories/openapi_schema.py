"""An OpenAPI 2.0 operation's response schema as a self-contained JSON Schema (draft 4), and its
declared parameters: what the provider-fidelity checks hold the sandbox and the connectors to.

OpenAPI 2.0 schemas are a dialect of draft 4. Turned into plain JSON Schema here:

- ``#/definitions/...`` references are inlined (the generators need no resolver; a reference
  cycle is refused rather than unrolled);
- ``x-`` extensions and OpenAPI-only keywords (``discriminator``, ``readOnly``, ``xml``,
  ``example``, ``externalDocs``) are dropped: they say nothing about validity;
- ``items`` given as a list on a schema that is not an array's is read as ``anyOf``. Slack's
  generator writes its alternatives that way (``objs_user``: ordinary or enterprise member;
  ``bot_id``: an id or null); as draft 4 reads it, such a schema would constrain only arrays
  and so let any object through, which would make the check vacuous;
- with ``closed=True`` an object schema that defines ``properties`` and says nothing about
  ``additionalProperties`` gets ``additionalProperties: false``: a field the spec does not
  define is a disagreement. Where the spec says ``additionalProperties: true`` it is kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_OPENAPI_ONLY = frozenset({"discriminator", "readOnly", "xml", "example", "externalDocs"})
_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
# Slack reads booleans from form and query values as these (docs.slack.dev: "true" / "1").
_BOOLEAN = frozenset({"true", "false", "1", "0"})


class SpecError(ValueError):
    """The document does not describe what was asked (no such operation, a dangling $ref)."""


def operation(document: Mapping[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    found = document.get("paths", {}).get(path, {}).get(method.lower())
    if found is None:
        raise SpecError(f"no {method.upper()} {path} in the document")
    return dict(found)


def response_schema(
    document: Mapping[str, Any],
    path: str,
    status: str = "200",
    *,
    method: str = "get",
    closed: bool = True,
) -> dict[str, Any]:
    """The JSON Schema of one response (``"200"``, ``"default"``...) of ``method path``."""
    responses = operation(document, path, method).get("responses", {})
    if status not in responses or "schema" not in responses[status]:
        raise SpecError(f"{method.upper()} {path} has no {status} response schema")
    return to_json_schema(document, responses[status]["schema"], closed=closed)


def to_json_schema(
    document: Mapping[str, Any], schema: Any, *, closed: bool = True
) -> dict[str, Any]:
    out = _convert(document, schema, closed, ())
    if not isinstance(out, dict):
        raise SpecError("a schema must be an object")
    return {"$schema": "http://json-schema.org/draft-04/schema#", **out}


def _convert(document: Mapping[str, Any], node: Any, closed: bool, seen: tuple[str, ...]) -> Any:
    if isinstance(node, list):
        return [_convert(document, item, closed, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            raise SpecError(f"reference cycle through {ref}")
        return _convert(document, _definition(document, ref), closed, (*seen, ref))
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-") or key in _OPENAPI_ONLY:
            continue
        if key in ("properties", "definitions", "patternProperties"):
            # Their keys are names, not keywords: a property may well be called "x-foo".
            out[key] = {k: _convert(document, v, closed, seen) for k, v in value.items()}
        else:
            out[key] = _convert(document, value, closed, seen)
    return _plain(out, closed)


def _plain(out: dict[str, Any], closed: bool) -> dict[str, Any]:
    """Slack's list-form alternatives as ``anyOf``; an object with properties closed."""
    if isinstance(out.get("items"), list) and _types(out) != {"array"}:
        alternatives = out.pop("items")
        if alternatives:
            out["anyOf"] = [*out.get("anyOf", ()), *alternatives]
    if closed and "properties" in out and "additionalProperties" not in out:
        out["additionalProperties"] = False
    return out


def _types(schema: Mapping[str, Any]) -> set[str]:
    kind = schema.get("type")
    if kind is None:
        return set()
    return {kind} if isinstance(kind, str) else set(kind)


def _definition(document: Mapping[str, Any], ref: str) -> Any:
    if not ref.startswith("#/definitions/"):
        raise SpecError(f"only local #/definitions references are read, not {ref}")
    name = ref.removeprefix("#/definitions/")
    definitions = document.get("definitions", {})
    if name not in definitions:
        raise SpecError(f"dangling reference {ref}")
    return definitions[name]


def parameters(document: Mapping[str, Any], path: str, method: str = "get") -> dict[str, str]:
    """``{name: type}`` of the parameters an operation declares (path-level ones included)."""
    declared = [
        *document.get("paths", {}).get(path, {}).get("parameters", ()),
        *operation(document, path, method).get("parameters", ()),
    ]
    return {p["name"]: p.get("type", "string") for p in declared if "name" in p}


def parameter_problems(
    declared: Mapping[str, str], sent: Mapping[str, str], *, ignore: frozenset[str] = frozenset()
) -> list[str]:
    """What is wrong with the query or form values sent: undeclared names, mistyped values."""
    problems = []
    for name, value in sorted(sent.items()):
        if name in ignore:
            continue
        kind = declared.get(name)
        if kind is None:
            problems.append(f"{name}: not a declared parameter")
        elif not _fits(kind, value):
            problems.append(f"{name}={value!r}: not a {kind}")
    return problems


def _fits(kind: str, value: str) -> bool:
    if kind == "integer":
        return _INTEGER.match(value) is not None
    if kind == "number":
        return _NUMBER.match(value) is not None
    if kind == "boolean":
        return value in _BOOLEAN
    return kind in ("string", "file", "array")  # an array travels as a comma-separated string
