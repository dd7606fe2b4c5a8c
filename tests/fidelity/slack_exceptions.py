"""Where Slack's answers are held to its method pages rather than its OpenAPI 2.0 file.

The file (``slack_web_openapi_v2_without_examples.json``, 1.7.0) dates from 2020 and lags the
method pages on docs.slack.dev in places; the specs' README says to follow the method page and
record each exception here, with its source. Each one widens the spec's schema by exactly what
the source documents, nothing more; everything else is the spec's own.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.factories.openapi_schema import parameters, response_schema
from tests.factories.provider_specs import SLACK_WEB, spec

METHOD_PAGE = "docs.slack.dev/reference/methods/"

PAGE_CURSOR: dict[str, Any] = {
    "type": "object",
    "properties": {"next_cursor": {"type": "string"}},
    "required": ["next_cursor"],
    "additionalProperties": False,
}

# Fields a success answer carries that the file's 200 schema omits: (schema, source).
EXTRA_FIELDS: dict[str, dict[str, tuple[dict[str, Any], str]]] = {
    "conversations.history": {
        "response_metadata": (
            PAGE_CURSOR,
            METHOD_PAGE + "conversations.history (cursor pagination: response_metadata."
            "next_cursor; also the specs' README)",
        )
    },
    "conversations.replies": {
        "response_metadata": (
            PAGE_CURSOR,
            METHOD_PAGE + "conversations.replies (cursor pagination: "
            "response_metadata.next_cursor)",
        )
    },
}

# Lists the file says are never empty (minItems: 1) that Slack does answer empty: (source).
MAY_BE_EMPTY: dict[str, dict[str, str]] = {
    "conversations.history": {
        "messages": METHOD_PAGE + "conversations.history: a window (oldest, latest) with no "
        "messages in it answers messages: [] with has_more: false",
    },
}

# The file's conversations.replies answer lists the thread's parent with a schema of its own,
# a narrower copy of objs_message without ``subtype``; a deleted parent whose replies live on
# is listed as a tombstone (subtype "tombstone"), as in conversations.history.
PARENT_SUBTYPE = (
    "docs.slack.dev/messaging/retrieving-messages (threads: a deleted parent with replies is "
    'kept as a tombstone, subtype "tombstone"); objs_message declares subtype'
)

# Error codes any method answers though the file lists them for some methods only: the method
# pages' "Errors" tables give them for every method (auth and transport-level failures).
COMMON_ERRORS: dict[str, str] = {
    "missing_scope": METHOD_PAGE + "* Errors: the token lacks a scope the method needs",
    "not_authed": METHOD_PAGE + "* Errors: no authentication token provided",
    "invalid_auth": METHOD_PAGE + "* Errors: some aspect of authentication cannot be validated",
    "token_revoked": METHOD_PAGE + "* Errors: the token has been revoked",
    "token_expired": "docs.slack.dev/authentication/using-token-rotation (rotated tokens expire)",
    "ratelimited": METHOD_PAGE + "* Errors: ratelimited, with HTTP 429 and Retry-After "
    "(docs.slack.dev/apis/web-api/rate-limits)",
    "fatal_error": METHOD_PAGE + "* Errors: the server hit a catastrophic error",
    "internal_error": METHOD_PAGE + "* Errors: a transient failure on Slack's side",
}
# Method-specific codes the method page lists and the file's error enum does not.
EXTRA_ERRORS: dict[str, dict[str, str]] = {
    "conversations.history": {"invalid_cursor": METHOD_PAGE + "conversations.history Errors"},
    "conversations.replies": {"invalid_cursor": METHOD_PAGE + "conversations.replies Errors"},
    "conversations.list": {"invalid_cursor": METHOD_PAGE + "conversations.list Errors"},
}
# missing_scope answers name the scope needed and the ones provided; the file declares both for
# the conversations.* methods only, and Slack sends them for every method.
SCOPE_FIELDS = ("needed", "provided")
SCOPE_SOURCE = METHOD_PAGE + "* missing_scope (as the file's own conversations.* error schemas)"

# Parameters the file does not declare for a method, with their type and source.
EXTRA_PARAMETERS: dict[str, dict[str, tuple[str, str]]] = {
    "oauth.v2.access": {
        "grant_type": ("string", METHOD_PAGE + "oauth.v2.access Arguments (token rotation)"),
        "refresh_token": ("string", METHOD_PAGE + "oauth.v2.access Arguments (token rotation)"),
    }
}


def success_schema(method: str) -> dict[str, Any]:
    schema = response_schema(spec(SLACK_WEB), "/" + method)
    for name, (field, _) in EXTRA_FIELDS.get(method, {}).items():
        schema["properties"][name] = field
    for name in MAY_BE_EMPTY.get(method, {}):
        schema["properties"][name].pop("minItems", None)
    if method == "conversations.replies":
        parent = schema["properties"]["messages"]["items"]["anyOf"][0]
        parent["properties"]["subtype"] = {"type": "string"}
    return schema


def error_schema(method: str) -> dict[str, Any]:
    schema = copy.deepcopy(response_schema(spec(SLACK_WEB), "/" + method, "default"))
    error = schema["properties"].get("error", {})
    if "enum" in error:
        extra = [*COMMON_ERRORS, *EXTRA_ERRORS.get(method, {})]
        error["enum"] = [*error["enum"], *(code for code in extra if code not in error["enum"])]
    for name in SCOPE_FIELDS:
        schema["properties"].setdefault(name, {"type": "string"})
    return schema


def declared_parameters(method: str) -> dict[str, str]:
    declared = parameters(spec(SLACK_WEB), "/" + method)
    return declared | {k: kind for k, (kind, _) in EXTRA_PARAMETERS.get(method, {}).items()}
