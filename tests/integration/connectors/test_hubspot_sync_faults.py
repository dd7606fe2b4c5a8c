"""HubSpot under its traps: the 10,000-result search cap, a run cut inside a tie, a 429."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from adapters.sandbox.faults import FaultRule, RateLimit, ServerError
from adapters.sandbox.providers.hubspot.records import BULK_BASE, object_id
from domain.sync.run import RunStatus
from tests.factories.hubspot import (
    attribute,
    by_source,
    cursor,
    forget_cursors,
    live,
    moment,
    position,
    same_time,
    shape,
    stream,
    with_bulk_contacts,
)
from tests.factories.sync_rig import sync_rig

SEARCH = "/crm/v3/objects/{}/search"


async def test_ten_thousand_contacts_modified_within_an_hour_all_arrive(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        with_bulk_contacts(rig, 10_500)
        connection = await rig.connect("hubspot")

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        expected = {r.id for r in live(rig, "contacts", position(run, "contacts"))}
        assert len(expected) > 10_500
        assert set(by_source(rig, "person", "contact")) == expected  # nothing truncated
        assert stream(run, "contacts").fetched == len(expected)  # nothing read twice
        stats = rig.sandbox.stats
        assert stats.get("hubspot", "search_over_cap") > 0  # the first window held them all
        assert stats.get("hubspot", "search_refused") == 0  # and never paged past the cap


async def test_a_run_cut_inside_a_tie_resumes_without_skipping_or_recounting(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        with_bulk_contacts(rig, 300)
        connection = await rig.connect("hubspot")
        await rig.sync(connection)
        start = cursor(rig, connection, "contacts").at
        leads = [BULK_BASE + n for n in range(300)]
        for key in leads:  # an import touches 300 contacts in one millisecond: the cursor's
            rig.sandbox.mutations.touch("person", key, moment(start))
        rig.sandbox.clock.advance(timedelta(minutes=2))
        # The first page (200 of the 300) is stored; the next one fails until the run gives up
        # and comes back later, resuming inside the tie.
        cut = ServerError(statuses=(503,))
        path = SEARCH.format("contacts")
        rig.sandbox.faults.add(FaultRule(provider="hubspot", path=path, fault=cut, times=6, skip=1))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert run.attempts == 2
        assert rig.sandbox.stats.get("hubspot", "fault:ServerError") == 6
        contacts = by_source(rig, "person", "contact")
        stamps = {attribute(contacts[object_id("contacts", k)], "updated_at") for k in leads}
        assert stamps == {moment(start).isoformat()}
        read = [
            r
            for r in live(rig, "contacts", position(run, "contacts"))
            if r.updated >= moment(start)
        ]
        assert stream(run, "contacts").fetched == len(read)  # the first 200 were not read again


async def test_a_429_mid_run_is_honoured_and_the_graph_is_the_fault_free_one(
    tmp_path: Path,
) -> None:
    async with (
        sync_rig(tmp_path / "calm") as calm,
        sync_rig(tmp_path / "throttled") as throttled,
    ):
        quiet, busy = await calm.connect("hubspot"), await throttled.connect("hubspot")
        assert calm.sandbox.dataset.start == throttled.sandbox.dataset.start
        same_time(calm, throttled)
        began = throttled.sandbox.clock.now()
        limit = RateLimit(retry_after=7)
        throttled.sandbox.faults.add(
            FaultRule(provider="hubspot", path=SEARCH.format("deals"), fault=limit, times=2)
        )

        await calm.sync(quiet)
        run = await throttled.sync(busy)

        assert run.status is RunStatus.SUCCEEDED, run
        assert run.attempts == 1  # waited inside the run, as Retry-After asked
        assert throttled.sandbox.stats.get("hubspot", "fault:RateLimit") == 2
        assert throttled.sandbox.clock.now() - began >= timedelta(seconds=14)
        graph = shape(throttled)
        assert graph == shape(calm)
        # Read again from the backfill: every record is upserted onto itself.
        forget_cursors(throttled, busy)
        again = await throttled.sync(busy)
        assert again.status is RunStatus.SUCCEEDED, again
        assert sum(s.records_new + s.records_changed for s in again.streams) == 0
        assert shape(throttled) == graph
