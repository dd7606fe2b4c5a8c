"""The Google sandbox answers the Gmail and Calendar connectors as Google's discovery documents
say Google does.

The real readers and originals run against the in-process sandbox (a full pass, an incremental
run a day later with the expired token renewed, a run after every cursor went stale, the
originals), and every exchange is held to the spec: each query parameter is one the method
declares, of its type and enum; each 2xx body validates against the method's response schema
(closed objects: a field the spec does not define fails); each error body is Google's
documented error shape, with ``error.code`` equal to the HTTP status.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from adapters.connectors.api import ProviderApi
from adapters.connectors.gmail import originals as gmail_originals
from adapters.connectors.gmail import reader as gmail_reader
from adapters.connectors.google_calendar import originals as calendar_originals
from adapters.connectors.google_calendar import reader as calendar_reader
from application.graph.original_ports import RecordReference
from application.sync.ports import ReadPlan, SourceReader
from domain.graph.model import SourceRef
from domain.integrations.endpoints import endpoints_of
from tests.factories.google_fidelity import (
    Exchange,
    NothingHeld,
    connection,
    endpoint_of,
    error_problems,
    parameter_problems,
    recorded_api,
    response_errors,
)
from tests.factories.sandbox import NOW, Harness, bearer, connect, running_sandbox

pytestmark = pytest.mark.integration

PROVIDERS = ("gmail", "google_calendar")
COVERED: frozenset[tuple[str, str, str]] = frozenset({
    ("gmail", "GET", "/gmail/v1/users/{}/profile"),
    ("gmail", "GET", "/gmail/v1/users/{}/messages"),
    ("gmail", "GET", "/gmail/v1/users/{}/messages/{}"),
    ("gmail", "GET", "/gmail/v1/users/{}/history"),
    ("gmail", "GET", "/gmail/v1/users/{}/threads/{}"),
    ("google_calendar", "GET", "/calendar/v3/calendars/{}/events"),
    ("google_calendar", "GET", "/calendar/v3/calendars/{}/events/{}"),
})  # fmt: skip
GMAIL = "/google/gmail/v1/users/me"
EVENTS = "/google/calendar/v3/calendars/primary/events"
GMAIL_METADATA = "https://www.googleapis.com/auth/gmail.metadata"


async def drain(reader: SourceReader, stream: str, cursor: bytes | None) -> bytes | None:
    async for page in reader.read(stream, cursor):
        cursor = page.cursor or cursor
    return cursor


def reference(provider: str, scope: str, source_id: str) -> RecordReference:
    ref = SourceRef(provider=provider, scope=scope, source_id=source_id)
    return RecordReference(kind="activity", ref=ref)


async def expire_cursors(h: Harness) -> None:
    h.clock.advance(timedelta(minutes=1))
    answer = await h.client.post("/_control/cursors/expire", json={"provider": "google"})
    assert answer.status_code < 300


async def _gmail(h: Harness, api: ProviderApi, exchanges: list[Exchange]) -> None:
    owner = connection("gmail", NOW)
    plan = ReadPlan(connection=owner, since=NOW - timedelta(days=4))
    reader = gmail_reader.build(plan, api, NothingHeld())
    cursor = await drain(reader, "mailbox", None)  # the full pass
    h.clock.advance(timedelta(days=1))  # the token expires: a 401, renewed
    cursor = await drain(reader, "mailbox", cursor)  # history.list
    await expire_cursors(h)
    await drain(reader, "mailbox", cursor)  # 404 on the stale id, then a reconciling pass
    message = next(e.body for e in exchanges if e.path.startswith("/gmail/v1/users/me/messages/"))
    scope = str(owner.id)
    for source_id in (f"message:{message['id']}", f"thread:{message['threadId']}"):
        await gmail_originals.read_one(api, owner, reference("gmail", scope, source_id))


async def _calendar(h: Harness, api: ProviderApi, exchanges: list[Exchange]) -> None:
    owner = connection("google_calendar", NOW)
    plan = ReadPlan(connection=owner, since=NOW - timedelta(days=30))
    reader = calendar_reader.build(plan, api, NothingHeld())
    synced = await drain(reader, "events", None)
    started = await drain(reader, "started", None)
    h.clock.advance(timedelta(days=2))
    synced = await drain(reader, "events", synced)  # by sync token, after a renewal
    await drain(reader, "started", started)
    await expire_cursors(h)
    await drain(reader, "events", synced)  # 410, then a full sync that reconciles
    listed = next(e.body for e in exchanges if e.status == 200 and e.body.get("items"))
    event = next(i for i in listed["items"] if i.get("status") != "cancelled")
    scope = str(owner.id)
    record = reference("google_calendar", scope, f"event:{event['id']}")
    await calendar_originals.read_one(api, owner, record)


@pytest.fixture(scope="module")
async def exchanges() -> dict[str, list[Exchange]]:
    found: dict[str, list[Exchange]] = {}
    async with running_sandbox() as h, recorded_api(h, "gmail") as (api, recorded):
        await _gmail(h, api, recorded)
        found["gmail"] = recorded
    async with running_sandbox() as h, recorded_api(h, "google_calendar") as (api, recorded):
        await _calendar(h, api, recorded)
        found["google_calendar"] = recorded
    return found


def test_covered_is_every_api_endpoint_of_the_registry() -> None:
    """A Gmail or Calendar endpoint added to the registry fails here until a run calls it."""
    api = {(e.provider, e.method, e.path) for p in PROVIDERS for e in endpoints_of(p) if e.scopes}

    assert api == COVERED


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_the_runs_called_every_covered_endpoint(
    exchanges: dict[str, list[Exchange]], provider: str
) -> None:
    called = {
        (provider, endpoint.method, endpoint.path)
        for endpoint in (endpoint_of(provider, e) for e in exchanges[provider])
    }

    assert called == {c for c in COVERED if c[0] == provider}


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_every_query_parameter_is_declared_by_the_method_with_its_type(
    exchanges: dict[str, list[Exchange]], provider: str
) -> None:
    problems = {
        problem
        for e in exchanges[provider]
        for problem in parameter_problems(provider, endpoint_of(provider, e), e.params)
    }

    assert problems == set()


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_every_answer_matches_the_method_response_schema_or_google_error_shape(
    exchanges: dict[str, list[Exchange]], provider: str
) -> None:
    problems = {
        f"{e.method} {e.path} {e.status}: {problem}"
        for e in exchanges[provider]
        for problem in response_errors(provider, endpoint_of(provider, e), e.status, e.body)
    }

    assert sorted(problems)[:10] == []
    assert len(exchanges[provider]) > 5


@pytest.mark.parametrize(
    ("provider", "statuses"), [("gmail", {200, 401, 404}), ("google_calendar", {200, 401, 410})]
)
async def test_the_runs_met_the_stale_cursor_and_expired_token_answers(
    exchanges: dict[str, list[Exchange]], provider: str, statuses: set[int]
) -> None:
    """The 404 of a stale history id and the 410 of an expired sync token are among the
    answers checked above: the connectors met them, not only a hand-made request."""
    assert {e.status for e in exchanges[provider]} >= statuses


async def test_the_checked_answers_carry_the_records_the_connectors_read(
    exchanges: dict[str, list[Exchange]],
) -> None:
    """History records and cancelled events were among the bodies validated, not only empty
    pages: their schemas (History, Event) were exercised."""
    bodies = [e.body for p in PROVIDERS for e in exchanges[p] if e.status == 200]
    history = [r for b in bodies for r in b.get("history", [])]
    items = [i for b in bodies for i in b.get("items", [])]

    assert any("messagesAdded" in r for r in history)
    assert {i.get("status") for i in items} >= {"confirmed", "cancelled"}


async def test_the_refusals_the_connectors_can_meet_have_google_error_shape() -> None:
    async with running_sandbox() as h:
        metadata = bearer((await connect(h.client, "google", scope=GMAIL_METADATA))["access_token"])
        answers = {
            "401": await h.stranger.get(f"{GMAIL}/profile", headers=bearer("not-a-token")),
            "403 format": await h.stranger.get(f"{GMAIL}/messages/1", headers=metadata),
            "403 scope": await h.stranger.get(EVENTS, headers=metadata),
            "404": await h.stranger.get(
                f"{GMAIL}/messages/0", params={"format": "metadata"}, headers=metadata
            ),
            "410": await _stale_sync_token(h),
        }
        await h.client.post(
            "/_control/faults",
            json={"provider": "google", "fault": {"kind": "rate_limit", "retry_after": 3}},
        )
        answers["429"] = await h.stranger.get(f"{GMAIL}/profile", headers=metadata)
        await h.client.post(
            "/_control/faults",
            json={"provider": "google", "fault": {"kind": "server_error", "statuses": [500, 503]},
                  "times": 2},
        )  # fmt: skip
        answers["500"] = await h.stranger.get(f"{GMAIL}/profile", headers=metadata)
        answers["503"] = await h.stranger.get(f"{GMAIL}/profile", headers=metadata)

    statuses = {name: answer.status_code for name, answer in answers.items()}
    assert statuses == {"401": 401, "403 format": 403, "403 scope": 403, "404": 404,
                        "410": 410, "429": 429, "500": 500, "503": 503}  # fmt: skip
    for name, answer in answers.items():
        assert error_problems(answer.status_code, answer.json()) == [], name


@pytest.mark.parametrize(
    ("status", "error", "broken"),
    [
        (404, {"status": "NOT_FOUND"}, {"status": "GONE"}),  # not a canonical code
        (404, {"status": "NOT_FOUND"}, {"status": "PERMISSION_DENIED"}),  # another status's
        (404, {"code": 404}, {"code": "404"}),  # a number served as a string
        (404, {"code": 404}, {"code": 400}),  # not the HTTP status
        (410, {"message": "gone"}, {"mesage": "gone"}),  # a renamed field
    ],
)
def test_a_wrong_error_body_fails_the_check(
    status: int, error: dict[str, Any], broken: dict[str, Any]
) -> None:
    entry = {"domain": "global", "reason": "notFound", "message": "gone"}
    body = {"error": {"code": status, "message": "gone", "errors": [entry]} | error}
    wrong = {"error": {k: v for k, v in body["error"].items() if k not in error} | broken}

    assert error_problems(status, body) == []
    assert error_problems(status, wrong) != []


def test_a_renamed_or_retyped_field_in_a_recorded_answer_fails_the_check(
    exchanges: dict[str, list[Exchange]],
) -> None:
    got = next(e for e in exchanges["gmail"] if e.status == 200 and "payload" in e.body)
    endpoint = endpoint_of("gmail", got)
    renamed = {**got.body, "threadID": got.body["threadId"]}
    del renamed["threadId"]
    retyped = {**got.body, "sizeEstimate": str(got.body["sizeEstimate"])}
    unquoted = {**got.body, "internalDate": int(got.body["internalDate"])}  # int64 is a string

    assert response_errors("gmail", endpoint, 200, got.body) == []
    for wrong in (renamed, retyped, unquoted):
        assert response_errors("gmail", endpoint, 200, wrong) != []


def test_declared_parameters_of_the_right_type_pass() -> None:
    listing = _endpoint("gmail", "gmail.users.messages.list")
    params = (("maxResults", "500"), ("q", "x"), ("labelIds", "A"), ("labelIds", "B"))

    assert parameter_problems("gmail", listing, params) == []


@pytest.mark.parametrize(
    ("provider", "operation", "params"),
    [
        ("gmail", "gmail.users.messages.list", (("maxResult", "5"),)),  # undeclared (renamed)
        ("gmail", "gmail.users.messages.list", (("maxResults", "five"),)),  # not an integer
        ("gmail", "gmail.users.messages.list", (("includeSpamTrash", "yes"),)),  # not a boolean
        ("gmail", "gmail.users.messages.get", (("format", "metadata"), ("format", "full"))),
        ("gmail", "gmail.users.messages.get", (("format", "headers"),)),  # not in the enum
        ("gmail", "gmail.users.history.list", (("startHistoryId", "abc"),)),  # uint64
        ("google_calendar", "calendar.events.list", (("maxResults", "0"),)),  # below minimum
        ("google_calendar", "calendar.events.list", (("timeMin", "2026-01-20"),)),  # date-time
    ],
)
def test_a_wrong_query_parameter_fails_the_check(
    provider: str, operation: str, params: tuple[tuple[str, str], ...]
) -> None:
    assert parameter_problems(provider, _endpoint(provider, operation), params) != []


def _endpoint(provider: str, operation: str) -> Any:
    return next(e for e in endpoints_of(provider) if e.operation == operation)


async def _stale_sync_token(h: Harness) -> Any:
    auth = bearer((await connect(h.client, "google"))["access_token"])
    token = None
    params: dict[str, str] = {"maxResults": "2500"}
    while token is None:
        page = (await h.stranger.get(EVENTS, params=params, headers=auth)).json()
        token = page.get("nextSyncToken")
        params["pageToken"] = page.get("nextPageToken", "")
    await expire_cursors(h)
    auth = bearer((await connect(h.client, "google"))["access_token"])
    return await h.stranger.get(EVENTS, params={"syncToken": token}, headers=auth)
