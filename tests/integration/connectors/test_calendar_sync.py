"""Google Calendar through the sync engine against the sandbox: the RevOps lead's primary
calendar by sync token, exactly once, under faults. Expectations come from the seeded meetings
as the sandbox shows them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import UUID

import pytest

from adapters.connectors.google_calendar import reader as calendar_reader
from adapters.sandbox.faults import FaultRule, ServerError
from adapters.sandbox.providers.google import events
from adapters.sandbox.providers.ids import calendar_event_id
from adapters.sandbox.seed.model import Meeting
from domain.graph.model import ActivityRecord, EntityRecord, GraphBatch, Link, SourceRef
from domain.sync.run import RunStatus
from tests.factories.google_sync import (
    activities_of,
    canaries_stored,
    entities_of,
    entity_id,
    recorded_calls,
)
from tests.factories.sync_rig import SyncRig, built, sync_rig

CALENDAR = "google_calendar"


def _mine(rig: SyncRig) -> dict[str, Meeting]:
    """The lead's meetings that exist and are not cancelled now, by event id."""
    sandbox, now = rig.sandbox, rig.sandbox.clock.now()
    return {
        calendar_event_id(m.key): m
        for m in events.mine(sandbox.dataset, sandbox.dataset.revops_lead.key)
        if m.created <= now and not events.cancelled(m, now, sandbox.mutations)
    }


def _held(rig: SyncRig, connection: UUID) -> list[str]:
    meetings = entities_of(rig, connection, "meeting")
    return [e.ref.source_id.removeprefix("event:") for e in meetings]


def _history(rig: SyncRig, connection: UUID, event_id: str) -> set[str]:
    return {
        a.type
        for a in activities_of(rig, connection)
        if a.ref.source_id.startswith(f"event:{event_id}:")
    }


def _attributes(rig: SyncRig, connection: UUID, event_id: str) -> dict[str, object]:
    (meeting,) = [
        e for e in entities_of(rig, connection, "meeting") if e.ref.source_id == f"event:{event_id}"
    ]
    return {a.name: a.value for a in meeting.attributes}


def _ms(moment: datetime) -> str:
    """A moment as Calendar gives it (milliseconds), in the form the meeting keeps it."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000).isoformat()


async def _connected(rig: SyncRig) -> UUID:
    connection = await rig.connect(CALENDAR)
    run = await rig.sync(connection)
    assert run.status is RunStatus.SUCCEEDED, run
    return connection


async def test_first_sync_brings_meetings_with_their_attendees(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        mine, now = _mine(rig), rig.sandbox.clock.now()
        people = rig.sandbox.dataset.people
        started = {i for i, m in mine.items() if events.timing(m, now)[0] <= now}
        event_id, meeting = next(
            (i, m) for i, m in sorted(mine.items()) if i in started and m.account is not None
        )

        def of(source_id: str) -> UUID:
            return entity_id(rig, CALENDAR, connection, source_id)

        assert sorted(_held(rig, connection)) == sorted(mine)
        assert len(activities_of(rig, connection, "Meeting scheduled")) == len(mine)
        held = activities_of(rig, connection, "Meeting held")
        assert {a.ref.source_id for a in held} == {f"event:{i}:held" for i in started}
        (entity,) = [e for e in rig.entities("meeting") if e.ref.source_id == f"event:{event_id}"]
        assert entity.name is None
        assert (entity.url or "").startswith("https://www.google.com/calendar/event?eid=")
        start, end = events.timing(meeting, now)
        organizer = people[meeting.organizer].email
        assert _attributes(rig, connection, event_id) | {"updated_at": None} == {
            "status": "confirmed",
            "start": start.isoformat(),
            "end": end.isoformat(),
            "all_day": False,
            "organizer": organizer,
            "attendee_count": len(meeting.attendees),
            "created_at": meeting.created.isoformat(),
            "updated_at": None,
        }
        (activity,) = [a for a in held if a.ref.source_id == f"event:{event_id}:held"]
        domain = rig.sandbox.dataset.accounts[meeting.account].domain
        assert activity.occurred_at == start
        assert activity.actor_id == of(f"email:{organizer}")
        assert {(o.entity_id, o.qualifier) for o in activity.objects} == {
            (of(f"event:{event_id}"), "meeting"),
            (of(f"email:{organizer}"), "organizer"),
            *(
                (of(f"email:{people[p].email}"), "attendee")
                for p, _ in meeting.attendees
                if p != meeting.organizer
            ),
            (of(f"domain:{domain}"), "company"),
        }
        responses = [r for _, r in meeting.attendees]
        assert activity.attributes["accepted_count"] == responses.count("accepted")
        assert activity.attributes["declined_count"] == responses.count("declined")
        assert activity.attributes["response"] == dict(
            (people[p].email, r) for p, r in meeting.attendees
        ).get(rig.sandbox.dataset.revops_lead.email)


async def test_a_later_sync_brings_new_and_moved_meetings_and_the_ones_that_started(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        before, earlier = _mine(rig), rig.sandbox.clock.now()
        rig.sandbox.clock.advance(timedelta(days=7))
        now = rig.sandbox.clock.now()
        # Started within the week, and otherwise unchanged: no sync token reports it.
        untouched = [
            i
            for i, m in before.items()
            if earlier < events.timing(m, now)[0] <= now
            and events.updated(m, now, rig.sandbox.mutations) <= earlier
        ]

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        mine = _mine(rig)
        assert sorted(_held(rig, connection)) == sorted(mine)
        assert set(mine) - set(before)  # created during the week
        assert untouched
        for event_id in untouched:
            assert _history(rig, connection, event_id) == {"Meeting scheduled", "Meeting held"}
        for event_id, meeting in mine.items():
            start = events.timing(meeting, now)[0]
            assert _attributes(rig, connection, event_id)["start"] == start.isoformat()
            assert ("Meeting held" in _history(rig, connection, event_id)) == (start <= now)


async def test_events_changed_at_one_instant_are_none_of_them_skipped(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        now = rig.sandbox.clock.now()
        first, second, third, fourth = (
            m.key for m in sorted(_mine(rig).values(), key=lambda m: m.key)[:4]
        )
        mutations = rig.sandbox.mutations
        # At the very instant the sync token was taken, then two more at one later instant.
        mutations.touch("meeting", first, now)
        mutations.delete("meeting", second, now)
        later = now + timedelta(minutes=10)
        mutations.touch("meeting", third, later)
        mutations.delete("meeting", fourth, later)
        rig.sandbox.clock.advance(timedelta(minutes=10))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        held = set(_held(rig, connection))
        assert calendar_event_id(second) not in held
        assert calendar_event_id(fourth) not in held
        assert _attributes(rig, connection, calendar_event_id(first))["updated_at"] == _ms(now)
        assert _attributes(rig, connection, calendar_event_id(third))["updated_at"] == _ms(later)


async def test_a_cancelled_meeting_takes_its_activities_along(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        now, mine = rig.sandbox.clock.now(), _mine(rig)
        past = next(i for i, m in sorted(mine.items()) if events.timing(m, now)[0] < now)
        coming = next(i for i, m in sorted(mine.items()) if events.timing(m, now)[0] > now)
        assert _history(rig, connection, past) == {"Meeting scheduled", "Meeting held"}
        assert _history(rig, connection, coming) == {"Meeting scheduled"}
        rig.sandbox.clock.advance(timedelta(hours=1))
        for event_id in (past, coming):
            rig.sandbox.mutations.delete("meeting", mine[event_id].key, now + timedelta(hours=1))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert sorted(_held(rig, connection)) == sorted(_mine(rig))
        for gone in (past, coming):
            assert gone not in _held(rig, connection)
            assert _history(rig, connection, gone) == set()


async def test_an_expired_sync_token_resyncs_to_the_same_graph_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        before = await rig.digest()
        rig.sandbox.cursors.expire("google")  # the sync token is stale: 410
        with recorded_calls(monkeypatch) as calls:
            run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        tokens = [c.values("syncToken") for c in calls if c.path().endswith("/events")]
        assert tokens[0]  # the stale token...
        assert tokens[1] == []  # ...then a full sync
        assert await rig.digest() == before


async def test_an_expired_sync_token_resyncs_mirroring_what_went_during_the_gap(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        now = rig.sandbox.clock.now()
        cancelled = sorted(_mine(rig))[0]
        purged = await _plant_a_meeting_the_calendar_no_longer_has(rig, connection)
        rig.sandbox.cursors.expire("google")
        rig.sandbox.mutations.delete("meeting", _mine(rig)[cancelled].key, now)
        rig.sandbox.clock.advance(timedelta(hours=2))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        held = _held(rig, connection)
        assert len(held) == len(set(held))
        assert sorted(held) == sorted(_mine(rig))
        assert _history(rig, connection, purged) == set()
        assert _history(rig, connection, cancelled) == set()


async def _plant_a_meeting_the_calendar_no_longer_has(rig: SyncRig, connection: UUID) -> str:
    """What a sync before the gap stored of an event deleted and purged since (Google drops
    cancelled events after a while, so a full listing no longer has them)."""
    meeting = SourceRef(provider=CALENDAR, scope=str(connection), source_id="event:purged0001")
    batch = GraphBatch(
        entities=(EntityRecord(ref=meeting, type="meeting"),),
        activities=(
            ActivityRecord(
                ref=SourceRef(
                    provider=CALENDAR, scope=str(connection), source_id="event:purged0001:scheduled"
                ),
                type="Meeting scheduled",
                occurred_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
                links=(Link(object=meeting, qualifier="meeting"),),
            ),
        ),
    )
    ingest = await built(rig.container.use_cases.ingest_graph)  # type: ignore[attr-defined]
    await ingest.execute(rig.actor.scope, batch)
    assert "purged0001" in _held(rig, connection)
    return "purged0001"


async def test_a_full_sync_cut_short_starts_over_and_stores_the_token_only_at_its_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect(CALENDAR)
        monkeypatch.setattr(calendar_reader, "PAGE_SIZE", 10)
        rig.sandbox.faults.add(
            FaultRule(
                provider="google",
                path="/calendar/v3/calendars/primary/events",
                fault=ServerError(statuses=(503,)),
                times=6,
                skip=4,
            )
        )
        with recorded_calls(monkeypatch) as calls:
            run = await rig.sync(connection)
            again = await rig.sync(connection)

        assert (run.status, again.status) == (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED)
        assert run.attempts == 2
        assert sorted(_held(rig, connection)) == sorted(_mine(rig))
        listed = [c for c in calls if c.path().endswith("/events") and not c.values("timeMin")]
        assert all(c.values("maxResults") == ["10"] for c in listed)
        assert listed[-1].values("syncToken")  # the last run: incremental, by the stored token
        assert not any(c.values("syncToken") for c in listed[:-1])


async def test_no_content_is_stored(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        rig.sandbox.clock.advance(timedelta(days=3))
        assert (await rig.sync(connection)).status is RunStatus.SUCCEEDED

        assert activities_of(rig, connection)
        assert canaries_stored(rig) == []
