"""Gmail through the sync engine against the sandbox: the RevOps lead's mailbox, incrementally,
exactly once, under faults. Expectations come from the seeded mailbox as the sandbox shows it."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest

from adapters.connectors.gmail import reader as gmail_reader
from adapters.sandbox.faults import FaultRule, RateLimit, ServerError
from adapters.sandbox.providers.google.mailbox import Mailbox, mailbox
from domain.sync.run import RunStatus
from tests.factories.google_sync import (
    activities_of,
    canaries_stored,
    entities_of,
    entity_id,
    recorded_calls,
)
from tests.factories.sync_rig import SyncRig, sync_rig

GMAIL = "gmail"


def _box(rig: SyncRig) -> Mailbox:
    sandbox = rig.sandbox
    owner = sandbox.dataset.revops_lead.key
    return mailbox(sandbox.dataset, owner).with_deletions(sandbox.mutations, sandbox.clock.now())


def _listed(rig: SyncRig) -> set[str]:
    """The messages the mailbox holds now (trash and deleted ones left out)."""
    return set(_box(rig).visible(rig.sandbox.clock.now()))


def _held(rig: SyncRig, connection: UUID) -> list[str]:
    return [a.ref.source_id.removeprefix("message:") for a in activities_of(rig, connection)]


async def _connected(rig: SyncRig) -> UUID:
    connection = await rig.connect(GMAIL)
    run = await rig.sync(connection)
    assert run.status is RunStatus.SUCCEEDED, run
    return connection


async def test_first_sync_brings_sent_and_received_mail_with_people_threads_companies(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        box, listed = _box(rig), _listed(rig)
        dataset = rig.sandbox.dataset
        sent = {m for m in listed if box.emails[m].sender == box.owner}

        assert sorted(_held(rig, connection)) == sorted(listed)
        held_sent = activities_of(rig, connection, "Email sent")
        assert {a.ref.source_id for a in held_sent} == {f"message:{m}" for m in sent}
        assert len(activities_of(rig, connection, "Email received")) == len(listed - sent) > 100
        message = next(
            m for m in sorted(listed) if box.emails[m].cc and box.emails[m].account is not None
        )
        email = box.emails[message]
        (activity,) = [a for a in activities_of(rig, connection) if message in a.ref.source_id]
        person = dataset.people

        def of(source_id: str) -> UUID:
            return entity_id(rig, GMAIL, connection, source_id)

        domain = dataset.accounts[email.account].domain
        assert activity.occurred_at == email.sent
        assert activity.actor_id == of(f"email:{person[email.sender].email}")
        assert {(o.entity_id, o.qualifier) for o in activity.objects} == {
            (of(f"thread:{box.threads[message]}"), "thread"),
            (of(f"email:{person[email.sender].email}"), "from"),
            *((of(f"email:{person[k].email}"), "to") for k in email.to),
            *((of(f"email:{person[k].email}"), "cc") for k in email.cc),
            (of(f"domain:{domain}"), "company"),
        }
        assert "UNREAD" not in str(activity.attributes.get("labels"))
        threads = entities_of(rig, connection, "email_thread")
        assert len(threads) == len({box.threads[m] for m in listed})
        assert all(t.name is None for t in threads)
        names = {e.ref.source_id: e.name for e in entities_of(rig, connection, "person")}
        assert names[f"email:{person[email.sender].email}"] == person[email.sender].name
        companies = {e.ref.source_id for e in entities_of(rig, connection, "company")}
        assert f"domain:{domain}" in companies
        assert f"domain:{dataset.domain}" not in companies  # the owner's own company


async def test_people_and_companies_resolve_to_the_helpdesk_and_the_calendar(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        helpdesk = await rig.connect("zendesk", subdomain="acme")
        assert (await rig.sync(helpdesk)).status is RunStatus.SUCCEEDED
        mail = await _connected(rig)
        calendar = await rig.connect("google_calendar")
        assert (await rig.sync(calendar)).status is RunStatus.SUCCEEDED
        canonical = {e.id: e.canonical_id for e in rig.entities()}
        people = rig.sandbox.dataset.people
        now, lead = rig.sandbox.clock.now(), rig.sandbox.dataset.revops_lead.key
        met = {
            p
            for m in rig.sandbox.dataset.meetings
            if m.created <= now and lead in (k for k, _ in m.attendees)
            for p, _ in m.attendees
        }
        mailed = {k for e in _box(rig).emails.values() if e.sent <= now for k in (e.sender, *e.to)}
        contact = people[min(k for k in met & mailed if not people[k].internal)]
        domain = contact.email.rpartition("@")[2]
        in_mail = entity_id(rig, GMAIL, mail, f"email:{contact.email}")
        in_calendar = entity_id(rig, "google_calendar", calendar, f"email:{contact.email}")
        organizations = {e.canonical_id for e in entities_of(rig, helpdesk, "company")}

        assert {in_mail, in_calendar} <= canonical.keys()
        assert canonical[in_mail] == canonical[in_calendar]
        assert canonical[entity_id(rig, GMAIL, mail, f"domain:{domain}")] in organizations


async def test_a_later_sync_follows_the_history_and_keeps_messages_of_one_second_apart(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        now = rig.sandbox.clock.now()
        box = _box(rig)
        same_second = Counter(e.sent for e in box.emails.values() if e.sent > now)
        tie = min(at for at, n in same_second.items() if n == 3)
        rig.sandbox.clock.advance(tie - now + timedelta(minutes=1))
        rig.sandbox.faults.add(
            FaultRule(provider="google", path="/gmail/v1/users/me/history", fault=RateLimit())
        )
        rig.sandbox.faults.add(
            FaultRule(provider="google", path="/gmail/v1/users/me/messages/*", fault=ServerError())
        )
        monkeypatch.setattr(gmail_reader, "PAGE_SIZE", 3)  # many history pages
        with recorded_calls(monkeypatch) as calls:
            run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        held = _held(rig, connection)
        assert sorted(held) == sorted(_listed(rig))
        tied = [a for a in activities_of(rig, connection) if a.occurred_at == tie]
        assert len(tied) == 3
        assert {a.type for a in tied} == {"Email sent", "Email received"}
        paths = Counter(c.path().split("/")[-1] for c in calls if "/messages/" not in c.url)
        assert paths["messages"] == 0  # no listing: the history alone
        assert paths["history"] > 2
        assert not rig.sandbox.faults.active()  # both faults were met, and retried


async def test_a_history_pass_cut_short_is_read_again_from_the_stored_history_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        rig.sandbox.clock.advance(timedelta(days=3))
        monkeypatch.setattr(gmail_reader, "PAGE_SIZE", 5)
        # Two history pages go through, then history stops answering for a whole run.
        rig.sandbox.faults.add(
            FaultRule(
                provider="google",
                path="/gmail/v1/users/me/history",
                fault=ServerError(statuses=(500, 502, 503)),
                times=6,
                skip=2,
            )
        )
        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert run.attempts == 2
        assert sorted(_held(rig, connection)) == sorted(_listed(rig))


async def test_deleted_and_trashed_messages_disappear(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        now = rig.sandbox.clock.now()
        box = _box(rig)
        deleted = sorted(box.visible(now))[0]
        trashed, email = min(
            ((m, e) for m, e in box.emails.items() if e.trashed_at and e.trashed_at > now),
            key=lambda pair: pair[1].trashed_at or now,
        )
        assert f"message:{trashed}" in {a.ref.source_id for a in activities_of(rig, connection)}
        rig.sandbox.mutations.delete("email", box.emails[deleted].key, now)
        assert email.trashed_at is not None
        rig.sandbox.clock.advance(email.trashed_at - now + timedelta(seconds=1))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        held = set(_held(rig, connection))
        assert deleted not in held
        assert trashed not in held
        assert held == _listed(rig)


async def test_an_expired_history_id_resyncs_to_the_same_graph_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        before = await rig.digest()
        rig.sandbox.cursors.expire("google")  # every historyId handed out is stale: 404
        with recorded_calls(monkeypatch) as calls:
            resync = await rig.sync(connection)

        assert resync.status is RunStatus.SUCCEEDED, resync
        assert any(c.path().endswith("users/me/messages") for c in calls)  # listed again
        assert await rig.digest() == before


async def test_an_expired_history_id_resyncs_mirroring_deletions_during_the_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await _connected(rig)
        now = rig.sandbox.clock.now()
        box = _box(rig)
        gone = sorted(box.visible(now))[:2]
        trashed = min(
            (e.trashed_at, m) for m, e in box.emails.items() if e.trashed_at and e.trashed_at > now
        )
        arrived = min((e.sent, m) for m, e in box.emails.items() if e.sent > trashed[0])
        rig.sandbox.cursors.expire("google")
        for message in gone:
            rig.sandbox.mutations.delete("email", box.emails[message].key, now)
        rig.sandbox.clock.advance(arrived[0] - now + timedelta(seconds=1))
        resync = await rig.sync(connection)
        with recorded_calls(monkeypatch) as calls:
            after = await rig.sync(connection)

        assert (resync.status, after.status) == (RunStatus.SUCCEEDED, RunStatus.SUCCEEDED)
        held = _held(rig, connection)
        assert len(held) == len(set(held))
        assert set(held) == _listed(rig)
        assert set(gone).isdisjoint(held)
        assert trashed[1] not in held
        assert arrived[1] in held
        assert [c.path() for c in calls] == [
            "gmail/v1/users/me/profile",
            "gmail/v1/users/me/history",
        ]


async def test_a_full_pass_cut_short_takes_up_where_it_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect(GMAIL)
        monkeypatch.setattr(gmail_reader, "PAGE_SIZE", 100)
        # The mailbox stops answering after 250 reads, long enough to spend a run's retries.
        rig.sandbox.faults.add(
            FaultRule(
                provider="google",
                path="/gmail/v1/users/me/messages/*",
                fault=ServerError(statuses=(503,)),
                times=6,
                skip=250,
            )
        )
        with recorded_calls(monkeypatch) as calls:
            run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert run.attempts == 2
        assert sorted(_held(rig, connection)) == sorted(_listed(rig))
        reads = [c for c in calls if "/users/me/messages/" in c.url]
        assert len(reads) < len(_listed(rig)) + 100 + 6  # the stored pages were not read again


async def test_no_content_is_stored_and_the_subject_is_never_asked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sync_rig(tmp_path) as rig:
        with recorded_calls(monkeypatch) as calls:
            connection = await _connected(rig)
            rig.sandbox.clock.advance(timedelta(days=2))
            assert (await rig.sync(connection)).status is RunStatus.SUCCEEDED

        reads = [c for c in calls if "/users/me/messages/" in c.url]
        assert len(reads) > 600
        assert all(c.values("format") == ["metadata"] for c in reads)
        assert all(
            c.values("metadataHeaders") == ["From", "To", "Cc", "Date", "Message-ID"] for c in reads
        )
        assert not any("subject" in v.lower() for c in calls for _, v in c.params)
        assert not any(c.values("q") for c in calls)
        assert activities_of(rig, connection)
        assert canaries_stored(rig) == []
