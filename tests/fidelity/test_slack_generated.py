"""Answers generated from Slack's published schemas, fed to the connector's decoding and its
normaliser: every valid answer normalises without error and none of its content gets through.

The schemas are the ones the contract test holds the sandbox to (``slack_exceptions.py``: the
spec, widened only where Slack's method pages say so), so the connector is held to every shape
Slack may send, not only the ones the sandbox happens to produce. Each message's ``text`` is
replaced by a canary the batch must not hold; and the batch must come out the same when every
string of the content the connector must not keep (text, blocks, attachments, files, a
channel's purpose and topic, a member's title and status...) is emptied: no content reached it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import jsonschema
import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from adapters.connectors.api import ApiResponse
from adapters.connectors.slack import normalise
from adapters.connectors.slack.records import ChannelPage, MemberPage, MessagePage
from tests.factories.schema_draws import bridged
from tests.fidelity.slack_exceptions import success_schema

pytestmark = pytest.mark.unit

# Checked here: these listings' answers (their fetch and requests are the contract test's).
COVERED: frozenset[tuple[str, str, str]] = frozenset(
    {
        ("slack", "GET", "/api/conversations.history"),
        ("slack", "GET", "/api/conversations.replies"),
        ("slack", "GET", "/api/conversations.list"),
        ("slack", "GET", "/api/users.list"),
    }
)
SOURCE = normalise.Source(scope="conn-1", team="T0123ABCD", web_base="https://acme.slack.com")
CHANNEL = "C0123ABCDE"
# Keys whose values are content: never to be kept (records.py is the allow-list).
CONTENT = frozenset(
    {"text", "blocks", "attachments", "files", "file", "reactions", "purpose", "topic",
     "title", "status_text", "status_emoji", "phone", "skype", "fields", "comment",
     "icons", "bot_profile", "user_profile", "previous_names", "latest"}
)  # fmt: skip
SCHEMA_OF: dict[type[Any], str] = {
    MessagePage: "conversations.history",
    ChannelPage: "conversations.list",
    MemberPage: "users.list",
}
EXAMPLES = settings(
    max_examples=50,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module", autouse=True)
def _draws() -> Iterator[None]:
    with bridged():
        yield


@cache
def schema(method: str) -> dict[str, Any]:
    return success_schema(method)


def answer(method: str) -> st.SearchStrategy[dict[str, Any]]:
    return from_schema(schema(method))


def canaried(body: dict[str, Any]) -> dict[str, Any]:
    """Each message's text as a canary no normalised record may hold."""
    for number, message in enumerate(body.get("messages", [])):
        message["text"] = f"ATLAS-CANARY-text-{number:04d}"
    return body


def blanked(node: Any, inside: bool = False) -> Any:
    """The answer with every string of its content emptied (same shapes, same types)."""
    if isinstance(node, dict):
        return {k: blanked(v, inside or k in CONTENT) for k, v in node.items()}
    if isinstance(node, list):
        return [blanked(v, inside) for v in node]
    return "" if inside and isinstance(node, str) else node


def same_without_content(body: dict[str, Any], kind: type[Any], normalised: Any) -> bool:
    """Content cannot have reached the batch if emptying it changes nothing there."""
    return encoded(normalised(read(blanked(body), kind))) == encoded(normalised(read(body, kind)))


def encoded(result: Any) -> bytes:
    return msgspec.json.encode(result)


def read(body: dict[str, Any], kind: type[Any]) -> Any:
    """As the reader decodes: an ApiResponse's body into the allow-listed struct."""
    return ApiResponse(status=200, headers={}, content=json.dumps(body).encode()).decode(kind)


def decoded(body: dict[str, Any], kind: type[Any]) -> Any:
    jsonschema.Draft4Validator(schema(SCHEMA_OF[kind])).validate(body)  # still valid
    return read(body, kind)


@EXAMPLES
@given(answer("conversations.history"))
def test_any_history_page_normalises_and_keeps_no_content(body: dict[str, Any]) -> None:
    page = decoded(canaried(body), MessagePage)

    batch, removals = normalise.messages(SOURCE, CHANNEL, page.messages)

    assert len(batch.activities) + len(removals) >= len(page.messages)
    assert b"ATLAS-CANARY" not in encoded(batch)
    assert same_without_content(
        body, MessagePage, lambda p: normalise.messages(SOURCE, CHANNEL, p.messages)
    )


@EXAMPLES
@given(answer("conversations.replies"))
def test_any_thread_normalises_and_keeps_no_content(body: dict[str, Any]) -> None:
    body = canaried(body)
    jsonschema.Draft4Validator(schema("conversations.replies")).validate(body)
    page = read(body, MessagePage)
    parent = page.messages[0].ts if page.messages else "1712345678.000100"

    batch = normalise.replies(SOURCE, CHANNEL, parent, page.messages)

    assert b"ATLAS-CANARY" not in encoded(batch)
    assert same_without_content(
        body, MessagePage, lambda p: normalise.replies(SOURCE, CHANNEL, parent, p.messages)
    )


def _channel(created: int) -> dict[str, Any]:
    """A channel as the spec describes it, created at ``created`` (the spec bounds no integer)."""
    return {
        "id": CHANNEL, "name": "deals", "name_normalized": "deals", "created": created,
        "creator": "U0123ABCDE", "is_channel": True, "is_group": False, "is_im": False,
        "is_mpim": False, "is_private": False, "is_archived": False, "is_general": False,
        "is_shared": False, "is_org_shared": False,
        "purpose": {"value": "ATLAS-CANARY-purpose", "creator": "", "last_set": 0},
        "topic": {"value": "ATLAS-CANARY-topic-1", "creator": "", "last_set": 0},
    }  # fmt: skip


@EXAMPLES
@given(answer("conversations.list"))
@example({"ok": True, "channels": [_channel(253_402_300_800)]})  # year 10000: no Python date
@example({"ok": True, "channels": [_channel(1_712_345_678)]})
def test_any_channel_listing_normalises_and_keeps_no_content(body: dict[str, Any]) -> None:
    page = decoded(body, ChannelPage)

    batch = normalise.channels(SOURCE, page.channels)

    assert len(batch.entities) == len(page.channels)
    assert b"ATLAS-CANARY" not in encoded(batch)
    assert same_without_content(body, ChannelPage, lambda p: normalise.channels(SOURCE, p.channels))


@EXAMPLES
@given(answer("users.list"))
def test_any_member_listing_normalises_and_keeps_no_content(body: dict[str, Any]) -> None:
    page = decoded(body, MemberPage)

    batch = normalise.users(SOURCE, page.members)

    assert len(batch.entities) == len(page.members)
    assert same_without_content(body, MemberPage, lambda p: normalise.users(SOURCE, p.members))


class _LeakyMessage(msgspec.Struct):
    ts: str
    text: str = ""


class _LeakyPage(msgspec.Struct):
    messages: list[_LeakyMessage] = []


def test_a_normaliser_that_kept_content_would_be_caught() -> None:
    body = {"ok": True, "messages": [{"type": "message", "ts": "1712345678.000100", "text": "hi"}]}
    body["has_more"], body["pin_count"] = False, 0
    body["channel_actions_ts"], body["channel_actions_count"] = None, 0

    assert same_without_content(body, MessagePage, lambda p: [m.ts for m in p.messages])
    assert not same_without_content(body, _LeakyPage, lambda p: [m.text for m in p.messages])
