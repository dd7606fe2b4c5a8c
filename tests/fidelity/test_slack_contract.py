"""The sandbox's Slack held to Slack's published Web API spec (OpenAPI 2.0, 1.7.0), as the
connector calls it.

A real sync (twice), originals of a message, a reply, a channel and a member, a token renewal,
a throttled and a failed call, and a disconnection run the real connector against the sandbox
through a tap; every request it sent must use parameters the spec declares for the method, with
the declared type, and every answer must validate against the method's 200 schema (or, with
``ok: false``, its error schema), objects closed where the spec defines their properties. The
errors the sandbox produces are then asked for one by one. Where the spec lags Slack's method
pages, ``slack_exceptions.py`` records the exception and its source.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from adapters.sandbox.faults import FaultRule, RateLimit, ServerError, Unauthorized
from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.providers.slack.messages import ts
from domain.integrations.endpoints import endpoints_of
from tests.e2e.harness import bearer as atlas_bearer
from tests.e2e.test_originals import an_activity, an_entity, original
from tests.factories.exchange_tap import Exchange, tapped_sandbox
from tests.factories.openapi_schema import parameter_problems
from tests.factories.sandbox import Harness, access_token, bearer, connect, running_sandbox
from tests.factories.sync_rig import SyncRig, sync_rig
from tests.fidelity.slack_exceptions import declared_parameters, error_schema, success_schema

pytestmark = pytest.mark.e2e

COVERED: frozenset[tuple[str, str, str]] = frozenset(
    ("slack", e.method, e.path) for e in endpoints_of("slack")
)
API = "/slack/api/"


def problems(method: str, sent: dict[str, str], answer: Any) -> list[str]:
    """What in one exchange disagrees with the spec: its parameters, then its answer."""
    found = [f"{method} sent {p}" for p in parameter_problems(declared_parameters(method), sent)]
    if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
        return [*found, f"{method} answered without Slack's envelope"]
    if answer["ok"]:
        schema = success_schema(method)
    else:
        schema = error_schema(method)
        if not isinstance(answer.get("error"), str):
            found.append(f"{method} failed without an error code")
    validator = jsonschema.Draft4Validator(schema)
    for error in validator.iter_errors(answer):
        where = "/".join(str(part) for part in error.absolute_path)
        found.append(f"{method} answer at /{where}: {_reason(error)}")
    return found


def _reason(error: jsonschema.ValidationError) -> str:
    if not error.context:
        return error.message[:200]
    # anyOf (Slack's alternatives): the reasons of the alternative that came closest.
    best = jsonschema.exceptions.best_match(error.context)
    return f"{best.message[:200]} (at /{'/'.join(map(str, best.absolute_path))})"


def slack_calls(seen: Iterable[Exchange]) -> list[Exchange]:
    return [e for e in seen if API in e.path]


def method_of(exchange: Exchange) -> str:
    return exchange.path.rpartition(API)[2]


async def _the_run(rig: SyncRig) -> None:
    """What the connector and Atlas's OAuth client do with Slack, faults included."""
    connection = await rig.connect("slack", backfill_days=120)
    for rule in (
        FaultRule(provider="slack", path="/api/conversations.history",
                  fault=Unauthorized(reason="expired")),
        FaultRule(provider="slack", path="/api/users.list", fault=RateLimit(retry_after=2)),
        FaultRule(provider="slack", path="/api/conversations.list", fault=ServerError()),
    ):  # fmt: skip
        rig.sandbox.faults.add(rule)
    await rig.sync(connection)
    await rig.sync(connection)
    activities = [a for a in rig.activities() if a.ref.provider == "slack"]
    reply = next(a for a in activities if a.ref.source_id.count(":") == 3)
    member = next(
        e for e in rig.entities() if e.ref.provider == "slack" and e.ref.source_id[:5] == "user:"
    )
    shown = [
        await original(rig, "activities", an_activity(rig, "slack").id),
        await original(rig, "activities", reply.id),
        await original(rig, "entities", an_entity(rig, "slack").id),
        await original(rig, "entities", member.id),
    ]
    assert [s.status_code for s in shown] == [200] * 4, [s.text for s in shown]
    gone = await rig.client.delete(
        f"/api/v1/connections/{connection}?purge=true",
        headers=atlas_bearer(rig.container, rig.actor),
    )
    assert gone.status_code == 200, gone.text


async def test_every_call_the_connector_makes_and_its_answer_follow_the_spec(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with tapped_sandbox(monkeypatch) as seen:
        async with sync_rig(tmp_path) as rig:
            await _the_run(rig)
    calls = slack_calls(seen)

    found = sorted({p for e in calls for p in problems(method_of(e), e.params, e.json())})
    assert found == [], found
    called = {method_of(e) for e in calls}
    assert {e.operation for e in endpoints_of("slack")} <= called
    errors = {e.json().get("error") for e in calls if not e.json()["ok"]}
    assert {"token_expired", "ratelimited", "fatal_error"} <= errors  # their shapes were checked
    grants = [e.params.get("grant_type") for e in calls if method_of(e) == "oauth.v2.access"]
    assert {"authorization_code", "refresh_token"} <= set(grants)


async def _get(h: Harness, method: str, auth: dict[str, str], **params: str) -> httpx.Response:
    return await h.client.get(API + method, params=params, headers=auth)


async def test_the_errors_the_sandbox_produces_have_the_specs_error_shape() -> None:
    async with running_sandbox() as h:
        auth = bearer(access_token("slack", await connect(h.client, "slack")))
        narrowed = await connect(h.client, "slack", user_scope="channels:read")
        narrow = bearer(access_token("slack", narrowed))
        listed = (await _get(h, "conversations.list", auth, types="public_channel")).json()
        channel = listed["channels"][0]["id"]
        h.sandbox.faults.add(FaultRule(provider="slack", path="/api/auth.test", fault=RateLimit()))
        asked = {
            "not_authed": ("conversations.history", {}, {"channel": channel}),
            "invalid_auth": ("users.list", bearer("xoxp-1-nobody"), {}),
            "missing_scope": ("conversations.history", narrow, {"channel": channel}),
            "missing_scope ": ("users.list", narrow, {}),
            "channel_not_found": ("conversations.history", auth, {"channel": "C0000000000"}),
            "channel_not_found ": ("conversations.info", auth, {"channel": "C0000000000"}),
            "thread_not_found": ("conversations.replies", auth,
                                 {"channel": channel, "ts": "1000000000.000001"}),
            "user_not_found": ("users.info", auth, {"user": "U0000000000"}),
            "invalid_cursor": ("users.list", auth, {"cursor": "bm9wZQ"}),
            "invalid_cursor ": ("conversations.history", auth,
                                {"channel": channel, "cursor": "bm9wZQ"}),
            "ratelimited": ("auth.test", auth, {}),
            "invalid_auth ": ("auth.revoke", bearer("xoxp-1-nobody"), {}),
        }  # fmt: skip
        answers = {
            code: (method, params, (await _get(h, method, headers, **params)).json())
            for code, (method, headers, params) in asked.items()
        }

    assert {code: a.get("error") for code, (_, _, a) in answers.items()} == {
        code: code.strip() for code in asked
    }
    found = [p for method, sent, a in answers.values() for p in problems(method, sent, a)]
    assert found == [], found


async def test_a_wrong_answer_or_request_fails_the_check() -> None:
    async with running_sandbox() as h:
        auth = bearer(access_token("slack", await connect(h.client, "slack")))
        members = (await _get(h, "users.list", auth, limit="2")).json()
        listed = (await _get(h, "conversations.list", auth, types="public_channel")).json()
        channel = listed["channels"][0]["id"]
        history = (await _get(h, "conversations.history", auth, channel=channel, limit="3")).json()
    assert problems("users.list", {"limit": "2"}, members) == []
    assert problems("conversations.history", {"channel": channel}, history) == []

    renamed = {**members["members"][0], "isBot": False}
    del renamed["is_bot"]
    as_string = {**history["messages"][0], "reply_count": "3"}
    wrong = [
        problems("users.list", {}, {**members, "members": [renamed]}),
        problems("users.list", {}, {**members, "cache_ts": str(members["cache_ts"])}),
        problems("conversations.history", {}, {**history, "messages": [as_string]}),
        problems("conversations.history", {}, {**history, "next_cursor": ""}),
        problems("users.list", {}, {"ok": False, "message": "invalid_auth"}),
        problems("users.list", {}, {"ok": False, "error": "no_such_code"}),
        problems("users.list", {"page": "2"}, members),
        problems("conversations.history", {"channel": channel, "limit": "ten"}, history),
        problems("conversations.history", {"channel": channel, "oldest": "yesterday"}, history),
    ]
    assert all(wrong), wrong


async def test_a_tombstone_and_a_thread_without_replies_follow_the_spec() -> None:
    async with running_sandbox() as h:
        auth = bearer(access_token("slack", await connect(h.client, "slack")))
        threads = sorted(h.sandbox.dataset.replies_by_parent.items())
        parent_key = next(p for p, r in threads if len(r) >= 2)
        lonely_key, (lonely_reply, *_) = next((p, r) for p, r in threads if len(r) == 1)
        at = h.clock.now()
        h.sandbox.mutations.delete("message", parent_key, at)  # leaves a tombstone
        h.sandbox.mutations.delete("message", lonely_reply.key, at)  # leaves a bare parent
        found = []
        for key in (parent_key, lonely_key):
            parent = h.sandbox.dataset.messages_by_key[key]
            channel = slack_id("C", parent.channel)
            window = {"channel": channel, "latest": ts(parent.ts), "inclusive": "true"}
            history = (await _get(h, "conversations.history", auth, **window, limit="1")).json()
            thread = {"channel": channel, "ts": ts(parent.ts)}
            replied = (await _get(h, "conversations.replies", auth, **thread)).json()
            found += problems("conversations.history", {**window, "limit": "1"}, history)
            found += problems("conversations.replies", thread, replied)

    assert found == [], found
