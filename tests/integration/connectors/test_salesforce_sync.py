"""Salesforce through the sync engine against the sandbox: deals and their stages, people.

Time only moves when a test moves the sandbox clock (``rig.sandbox.clock``); a fault that
"takes a while" moves it too (``_clock_sleeps``), so nothing here waits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID

import msgspec
import pytest

from adapters.connectors.cursors import decode_cursor
from adapters.connectors.salesforce import reader
from adapters.connectors.salesforce.reader import STREAMS, ModstampCursor
from adapters.fakes.sync import QueuedJob, SyncTables
from adapters.sandbox.faults import FaultRule, RateLimit, Slow
from adapters.sandbox.providers.ids import salesforce_id
from adapters.sandbox.providers.salesforce.objects import stage_name
from adapters.sandbox.seed.model import Change, Deal, state_at
from application.sync.policy import RunOutcome
from domain.graph.model import Activity, Entity
from domain.sync.run import RunStatus, RunTrigger, StreamProgress, SyncRun
from tests.factories.sync_rig import SyncRig, built, sync_rig

QUERY = "/services/data/*/query"
LOCATOR = "/services/data/*/query/*"


async def test_first_sync_brings_deals_with_their_stage_history_accounts_and_people(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("salesforce")

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert [s.stream for s in run.streams] == list(STREAMS)
        d, hi = rig.sandbox.dataset, _cursor(rig, connection, "opportunities").at
        seeded = [deal for deal in d.deals if deal.stages[0].at < hi]
        deals = _by_source(rig.entities("deal"))
        assert len(deals) == len(seeded) > 50
        assert len(rig.entities("company")) == len(d.accounts)
        assert len(rig.entities("person")) == len(d.people)  # 36 users, 72 contacts
        deal = seeded[0]
        entity = deals[f"opportunity:{salesforce_id('Opportunity', deal.key)}"]
        history = [c for c in deal.stages if c.at < hi]
        assert entity.name == deal.name
        assert _attribute(entity, "stage") == stage_name(history[-1].value)
        assert entity.url is not None
        assert entity.url.endswith("/" + salesforce_id("Opportunity", deal.key))
        assert [a.type for a in _history_of(rig, entity)] == [stage_name(c.value) for c in history]
        stages = sum(1 for x in d.deals for c in x.stages if c.at < hi)
        assert sum(1 for a in rig.activities() if a.ref.source_id.startswith("history:")) == stages
        assert len(rig.activities("Email logged")) == sum(
            1 for e in d.emails if e.deal is not None and e.sent < hi
        )
        assert rig.activities("Meeting held")
        _assert_no_content(rig)


async def test_people_resolve_by_email_and_companies_by_domain_across_sources(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        salesforce = await rig.connect("salesforce")
        zendesk = await rig.connect("zendesk", subdomain="acme")

        assert (await rig.sync(salesforce)).status is RunStatus.SUCCEEDED
        assert (await rig.sync(zendesk)).status is RunStatus.SUCCEEDED

        requester = rig.sandbox.dataset.people[rig.sandbox.dataset.tickets[0].requester]
        contact = _by_source(rig.entities("person"))[
            f"contact:{salesforce_id('Contact', requester.key)}"
        ]
        same = [e for e in rig.entities("person") if e.canonical_id == contact.canonical_id]
        assert {e.ref.provider for e in same} == {"salesforce", "zendesk"}
        account = _by_source(rig.entities("company"))[
            f"account:{salesforce_id('Account', requester.account or 0)}"
        ]
        company = [e for e in rig.entities("company") if e.canonical_id == account.canonical_id]
        assert {e.ref.provider for e in company} == {"salesforce", "zendesk"}  # by domain


async def test_a_change_after_the_cursor_is_picked_up_by_the_next_sync(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("salesforce")
        await rig.sync(connection)
        d, clock = rig.sandbox.dataset, rig.sandbox.clock
        deal = _open_deals(rig, before=_cursor(rig, connection, "opportunities").at)[0]
        won_at = clock.now().replace(microsecond=0)
        rig.sandbox.mutations.change("deal", deal.key, Change("closed_won", won_at, deal.owner))
        clock.advance(timedelta(days=1))  # and a day of new work appears

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        hi = _cursor(rig, connection, "stage_changes").at
        entity = _by_source(rig.entities("deal"))[
            f"opportunity:{salesforce_id('Opportunity', deal.key)}"
        ]
        assert _attribute(entity, "stage") == "Closed Won"
        assert _attribute(entity, "won") is True
        last = _history_of(rig, entity)[-1]
        assert (last.type, last.occurred_at) == ("Closed Won", won_at)
        stages = sum(1 for x in d.deals for c in x.stages if c.at < hi) + 1
        assert sum(1 for a in rig.activities() if a.ref.source_id.startswith("history:")) == stages
        assert run.totals.new > 1  # the appended stage and the day's seeded work
        _assert_no_content(rig)


async def test_records_sharing_the_cursors_own_timestamp_are_not_skipped(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("salesforce")
        await rig.sync(connection)
        d, mutations = rig.sandbox.dataset, rig.sandbox.mutations
        at = _cursor(rig, connection, "contacts").at  # the first pass's upper bound
        assert at == _cursor(rig, connection, "stage_changes").at
        contacts = [p for p in d.people if p.account is not None][:2]
        deals = _open_deals(rig, before=at)[:2]
        for person in contacts:
            mutations.touch("person", person.key, at)
        for deal in deals:
            mutations.change("deal", deal.key, Change("closed_lost", at, deal.owner))
        rig.sandbox.clock.advance(timedelta(minutes=2))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        people = _by_source(rig.entities("person"))
        for person in contacts:
            touched = people[f"contact:{salesforce_id('Contact', person.key)}"]
            assert _attribute(touched, "modified_at") == at.isoformat()
        stored = _by_source(rig.entities("deal"))
        for deal in deals:
            entity = stored[f"opportunity:{salesforce_id('Opportunity', deal.key)}"]
            last = _history_of(rig, entity)[-1]
            assert (last.type, last.occurred_at) == ("Closed Lost", at)


async def test_a_page_boundary_inside_one_timestamp_resumes_without_a_gap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "BATCH_SIZE", 200)  # Salesforce's smallest batch
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("salesforce")
        await rig.sync(connection)
        at = _cursor(rig, connection, "tasks").at
        # A mass update: 250 tasks changed at one instant, the cursor's own.
        emails = [e for e in rig.sandbox.dataset.emails if e.deal is not None and e.sent < at]
        for email in emails[:250]:
            rig.sandbox.mutations.change("email", email.key, Change("Deferred", at, 0))
        rig.sandbox.clock.advance(timedelta(minutes=2))
        # The run stops after the first page of the 250 (the org's allowance runs out) ...
        _fault(rig, FaultRule(provider="salesforce", path=LOCATOR, fault=RateLimit()))

        run = await rig.sync(connection)  # ... and comes back an hour later

        assert run.status is RunStatus.SUCCEEDED, run
        assert run.attempts == 2
        tasks = {a.ref.source_id: a for a in rig.activities("Email logged")}
        changed = [tasks[f"task:{salesforce_id('Task', e.key)}"] for e in emails[:250]]
        assert [a.attributes["status"] for a in changed] == ["Deferred"] * 250
        assert len(tasks) == len({a.id for a in rig.activities("Email logged")})


async def test_deletions_disappear_from_the_graph_with_their_history(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("salesforce")
        await rig.sync(connection)
        d, now = rig.sandbox.dataset, rig.sandbox.clock.now()
        hi = _cursor(rig, connection, "opportunities").at
        deal = max((x for x in d.deals if x.stages[-1].at < hi), key=lambda x: len(x.stages))
        opportunity = _by_source(rig.entities("deal"))[
            f"opportunity:{salesforce_id('Opportunity', deal.key)}"
        ]
        assert len(_history_of(rig, opportunity)) == len(deal.stages) > 1
        email = next(e for e in d.emails if e.deal not in (None, deal.key) and e.sent < hi)
        rig.sandbox.mutations.delete("deal", deal.key, now)
        rig.sandbox.mutations.delete("email", email.key, now)
        rig.sandbox.clock.advance(timedelta(minutes=2))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert opportunity.ref.source_id not in _by_source(rig.entities("deal"))
        gone = {opportunity.id}
        assert not [a for a in rig.activities() if gone & {o.entity_id for o in a.objects}]
        assert f"task:{salesforce_id('Task', email.key)}" not in {
            a.ref.source_id for a in rig.activities()
        }
        assert run.totals.deleted >= 2 + len(deal.stages)


async def test_a_delete_log_past_its_retention_is_replaced_by_comparing_ids(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("salesforce")
        await rig.sync(connection)
        contact = next(p for p in rig.sandbox.dataset.people if p.account is not None)
        rig.sandbox.mutations.delete("person", contact.key, rig.sandbox.clock.now())
        rig.sandbox.clock.advance(timedelta(days=16))  # the delete log no longer reaches back

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        people = _by_source(rig.entities("person"))
        assert f"contact:{salesforce_id('Contact', contact.key)}" not in people
        assert len(people) == len(rig.sandbox.dataset.people) - 1


async def test_an_expired_query_locator_resyncs_the_window_without_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "BATCH_SIZE", 200)
    async with sync_rig(tmp_path) as rig:
        _clock_sleeps(rig)
        connection = await rig.connect("salesforce")
        # The second page is asked for after the 15 minutes a locator lives.
        _fault(rig, FaultRule(provider="salesforce", path=LOCATOR, fault=Slow(seconds=16 * 60)))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert run.attempts == 1
        assert rig.sandbox.stats.get("salesforce", "fault:Slow") == 1
        hi = _cursor(rig, connection, "stage_changes").at
        stages = sum(1 for x in rig.sandbox.dataset.deals for c in x.stages if c.at < hi)
        history = [a for a in rig.activities() if a.ref.source_id.startswith("history:")]
        assert len(history) == stages
        progress = _stream(run, "stage_changes")
        assert progress.records_new == stages  # each stage change stored once
        assert progress.fetched > stages  # the window was asked again from its cursor's second
        before = len(rig.entities()) + len(rig.activities())

        again = await rig.sync(connection)

        # The second run's window starts where the first ended (the sandbox's clock moved on 16
        # minutes, so a record from the dataset's last minute may be new now); what was stored
        # already is not stored again.
        refs = [r.ref for r in rig.entities()] + [a.ref for a in rig.activities()]
        assert len(refs) == len(set(refs)) == before + again.totals.new
        hi = _cursor(rig, connection, "stage_changes").at
        stages = sum(1 for x in rig.sandbox.dataset.deals for c in x.stages if c.at < hi)
        history = [a for a in rig.activities() if a.ref.source_id.startswith("history:")]
        assert len(history) == stages


async def test_request_limit_exceeded_puts_the_run_off_instead_of_retrying(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("salesforce")
        _fault(rig, FaultRule(provider="salesforce", path=QUERY, skip=3, fault=RateLimit()))
        request = await built(rig.container.use_cases.sync.request_sync)  # type: ignore[attr-defined]
        requested = (await request.execute(rig.actor.scope, connection, RunTrigger.MANUAL)).run

        outcome = await _work_once(rig)

        waiting = rig.run(requested.id)
        assert waiting.status is RunStatus.WAITING
        assert waiting.error == "request_limit_exceeded"
        assert outcome.come_back_after is not None
        assert outcome.come_back_after >= 3600
        assert waiting.resume_at is not None
        assert waiting.resume_at >= requested.requested_at + timedelta(hours=1)  # not sooner
        assert rig.sandbox.stats.get("salesforce", "fault:RateLimit") == 1  # asked once only

        await rig.drain()

        run = rig.run(requested.id)
        assert run.status is RunStatus.SUCCEEDED, run
        assert run.attempts == 2
        assert len(rig.entities("deal")) > 50


async def test_a_session_expiring_mid_run_is_renewed_once_and_the_run_continues(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        _clock_sleeps(rig)
        connection = await rig.connect("salesforce")
        # The third query arrives after the two-hour session is over: 401 INVALID_SESSION_ID.
        slow = Slow(seconds=2 * 3600 + 60)
        _fault(rig, FaultRule(provider="salesforce", path=QUERY, skip=2, fault=slow))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert run.attempts == 1
        stats = rig.sandbox.stats
        assert stats.get("salesforce", "api_refused:expired") == 1
        assert stats.get("salesforce", "refreshes") == 1
        assert all(s.finished_at is not None for s in run.streams)
        assert len(rig.entities("deal")) > 50


# --- helpers ------------------------------------------------------------------------------------


def _fault(rig: SyncRig, rule: FaultRule) -> None:
    rig.sandbox.faults.add(rule)


def _clock_sleeps(rig: SyncRig) -> None:
    """A slow answer moves this rig's sandbox clock instead of taking real time."""

    async def advance(seconds: float) -> None:
        rig.sandbox.clock.advance(timedelta(seconds=seconds))

    rig.sandbox.sleep = advance


async def _work_once(rig: SyncRig) -> RunOutcome:
    """One queued job, run as the worker runs it; a job handed back is queued again."""
    run_sync = await built(rig.container.use_cases.sync.run_sync)  # type: ignore[attr-defined]
    jobs = rig.store.tables.of(SyncTables).jobs
    connection_id, queued = next(iter(jobs.items()))
    del jobs[connection_id]
    outcome = await run_sync.execute(queued.job)
    if outcome.come_back_after is not None:
        jobs = rig.store.tables.of(SyncTables).jobs  # the tables as the run left them
        jobs[connection_id] = QueuedJob(job=queued.job, not_before=None)
    return outcome


def _cursor(rig: SyncRig, connection: UUID, stream: str) -> ModstampCursor:
    checkpoints = rig.store.tables.of(SyncTables).checkpoints
    _, checkpoint = checkpoints[(rig.actor.tenant_id, connection, stream)]
    cursor = decode_cursor(checkpoint.cursor, ModstampCursor)
    assert cursor is not None
    return cursor


def _stream(run: SyncRun, name: str) -> StreamProgress:
    return next(s for s in run.streams if s.stream == name)


def _open_deals(rig: SyncRig, *, before: datetime) -> list[Deal]:
    """Deals open at ``before`` with no seeded stage change in the two days after it: none
    moves on by itself while a test runs (the seeded walks depend on today's date)."""
    quiet = before + timedelta(days=2)
    return [
        x
        for x in rig.sandbox.dataset.deals
        if (current := state_at(x.stages, before)) is not None
        and not current.value.startswith("closed")
        and not any(before <= c.at < quiet for c in x.stages)
    ]


def _by_source(entities: list[Entity]) -> dict[str, Entity]:
    return {e.ref.source_id: e for e in entities if e.ref.provider == "salesforce"}


def _attribute(entity: Entity, name: str) -> object:
    return next((a.value for a in entity.attributes if a.name == name), None)


def _history_of(rig: SyncRig, deal: Entity) -> list[Activity]:
    """The deal's stage changes, in time order."""
    return sorted(
        (
            a
            for a in rig.activities()
            if a.ref.source_id.startswith("history:")
            and deal.id in {o.entity_id for o in a.objects}
        ),
        key=lambda a: a.occurred_at,
    )


def _assert_no_content(rig: SyncRig) -> None:
    stored = msgspec.json.encode([rig.entities(), rig.activities()])
    assert b"ATLAS-CANARY-" not in stored
    canaries = rig.sandbox.dataset.canaries
    assert canaries
    assert not [c for c in canaries if c.encode() in stored]
