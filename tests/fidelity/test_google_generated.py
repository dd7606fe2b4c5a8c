"""Any answer Google's discovery documents allow is read by the connectors without error, and
none of its content reaches the graph.

Answers are generated from the spec's schemas (hypothesis-jsonschema), every content string
marked; they are decoded with the connectors' own structs (``records.py``) and normalised. Each
must normalise, and no marked string may appear anywhere in the normalised batch or removals.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from adapters.connectors.api import ApiResponse
from adapters.connectors.gmail import normalise as gmail
from adapters.connectors.gmail.records import HistoryPage, Message, MessageList, Profile
from adapters.connectors.google_calendar import normalise as calendar
from adapters.connectors.google_calendar.records import Event, EventPage
from domain.sync.errors import SourceRefused
from tests.factories.generated_answers import CANARY, generation_schema, with_canaries
from tests.factories.schema_draws import bridged as schema_strategies

pytestmark = pytest.mark.unit

# Generated answers, not the sandbox's: the sandbox is covered by test_google_contract.py.
COVERED: frozenset[tuple[str, str, str]] = frozenset()


@pytest.fixture(autouse=True, scope="module")
def _strategies() -> Iterator[None]:
    with schema_strategies():
        yield


GMAIL, CALENDAR = "google/gmail.v1.json", "google/calendar.v3.json"
EXAMPLES = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MAILBOX = gmail.Mailbox(scope="c1", owner="me@example.com")
OWNER = calendar.Calendar(scope="c1", owner="me@example.com")
ALWAYS = calendar.Window(  # every generated moment falls inside: nothing is filtered out
    since=datetime.min.replace(tzinfo=UTC), now=datetime.max.replace(tzinfo=UTC)
)
# Generated events that are meetings (eventType default, a timed start), so the normaliser's
# whole path runs; every such event is also an instance of the spec's Event.
MEETING = generation_schema(CALENDAR, "Event", Event)
MEETING["properties"]["eventType"] = {"enum": ["default"]}
MEETING["properties"]["status"] = {"enum": ["confirmed", "tentative"]}
MEETING["properties"]["start"] = {**MEETING["properties"]["start"], "required": ["dateTime"]}
MEETING["required"] = sorted({*MEETING.get("required", ()), "start"})


def decoded(answer: Any, kind: type[Any]) -> Any:
    """The answer read the connector's way (``ApiResponse.decode`` with its struct)."""
    body = msgspec.json.encode(answer)
    return ApiResponse(status=200, headers={}, content=body).decode(kind)


def leaked(marked: list[str], *normalised: Any) -> list[str]:
    stored = msgspec.json.encode(normalised).decode()
    return [text for text in marked if text in stored] + (
        [CANARY] if CANARY in stored and not any(t in stored for t in marked) else []
    )


@EXAMPLES
@given(from_schema(generation_schema(GMAIL, "Message", Message)))
def test_any_message_normalises_and_keeps_no_content(answer: dict[str, Any]) -> None:
    answer, marked = with_canaries(answer)
    message = decoded(answer, Message)

    batch, removals = gmail.messages(MAILBOX, [message])

    assert len(batch.activities) + len(removals) == 1
    assert leaked(marked, batch, removals) == []


@settings(EXAMPLES, max_examples=30)  # pages of records of messages: the slowest to generate
@given(from_schema(generation_schema(GMAIL, "ListHistoryResponse", HistoryPage, depth=1)))
def test_any_history_page_gives_changes_from_its_records(answer: dict[str, Any]) -> None:
    page = decoded(answer, HistoryPage)

    fetch, remove = gmail.changes(page.history)

    touched = {
        change["message"]["id"]
        for record in answer.get("history", [])
        for kind in ("messagesAdded", "messagesDeleted", "labelsAdded", "labelsRemoved")
        for change in record.get(kind, [])
    }
    assert set(fetch) | set(remove) <= touched
    assert not set(fetch) & set(remove)


@EXAMPLES
@given(
    from_schema(generation_schema(GMAIL, "ListMessagesResponse", MessageList)),
    from_schema(generation_schema(GMAIL, "Profile", Profile)),
)
def test_any_listing_and_profile_decode(listing: dict[str, Any], profile: dict[str, Any]) -> None:
    assert [m.id for m in decoded(listing, MessageList).messages] == [
        m["id"] for m in listing.get("messages", [])
    ]
    assert decoded(profile, Profile).history_id == profile["historyId"]


@EXAMPLES
@given(from_schema(generation_schema(CALENDAR, "Events", EventPage)))
def test_any_event_page_normalises_and_keeps_no_content(answer: dict[str, Any]) -> None:
    answer, marked = with_canaries(answer)
    page = decoded(answer, EventPage)

    batch, removals = calendar.events(OWNER, page.items, ALWAYS)

    assert leaked(marked, batch, removals) == []


@EXAMPLES
@given(from_schema(MEETING))
def test_any_meeting_becomes_a_meeting_with_its_activities_and_no_content(
    answer: dict[str, Any],
) -> None:
    answer, marked = with_canaries(answer)
    event = decoded(answer, Event)

    batch, removals = calendar.events(OWNER, [event], ALWAYS)

    assert [e.type for e in batch.entities if e.type == "meeting"] == ["meeting"]
    assert calendar.HELD in {a.type for a in batch.activities}
    assert leaked(marked, batch, removals) == []


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        ({"threadId": "t", "internalDate": "1"}, Message),  # no id
        ({"id": "m", "threadId": "t", "internalDate": 1}, Message),  # int64 not as a string
        ({"items": [{"status": "confirmed"}]}, EventPage),  # an event without its id
    ],
)
def test_an_answer_without_what_the_connector_needs_is_refused_not_a_crash(
    answer: dict[str, Any], kind: type[Any]
) -> None:
    with pytest.raises(SourceRefused) as refused:
        decoded(answer, kind)

    assert refused.value.reason == "unreadable_response"


@settings(max_examples=20, deadline=None)
@given(st.integers(min_value=10**13, max_value=2**63 - 1))
def test_an_internal_date_beyond_the_calendar_still_normalises(millis: int) -> None:
    """Any int64 is a valid ``internalDate``: one past year 9999 must not crash the read."""
    message = decoded({"id": "m", "threadId": "t", "internalDate": str(millis)}, Message)

    batch, _ = gmail.messages(MAILBOX, [message])

    assert len(batch.activities) == 1


@pytest.mark.parametrize(
    ("created", "start", "kept"),
    [
        # Created before year 1 in UTC: the meeting is held, its scheduling time unknown.
        ("0001-01-01T00:00:00+23:59", "2026-01-20T10:00:00+01:00", {calendar.HELD}),
        # Starts after year 9999 in UTC: like an event without a start, not placed at all.
        ("2026-01-19T10:00:00Z", "9999-12-31T23:59:59-23:59", set()),
    ],
)
def test_an_rfc3339_time_beyond_what_utc_holds_is_read_as_absent(
    created: str, start: str, kept: set[str]
) -> None:
    """Valid RFC 3339 (and so valid per the spec) that no UTC datetime holds: the time is
    left out, never a crash."""
    event = decoded({"id": "e", "created": created, "start": {"dateTime": start}}, Event)

    batch, _ = calendar.events(OWNER, [event], ALWAYS)

    assert {a.type for a in batch.activities} == kept
