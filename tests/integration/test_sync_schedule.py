"""The scheduler's tick: a connection syncs again when its interval has passed, not before,
even when the census that named it was taken before its last run ended."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from adapters.fakes.sync import SyncTables
from domain.sync.run import RunStatus, RunTrigger
from domain.sync.schedule import DEFAULT_INTERVAL_SECONDS
from tests.factories.sync_rig import built, sync_rig


async def test_a_run_that_ends_after_the_census_is_not_followed_by_another(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("jira")
        census = rig.container.adapters.sync_census()
        tick = await built(rig.container.use_cases.sync.schedule_due_syncs)  # type: ignore[attr-defined]
        request = await built(rig.container.use_cases.sync.request_sync)  # type: ignore[attr-defined]
        clock = rig.container.adapters.clock()

        named = {d.connection_id for d in await census.due(clock.now(), 100)}
        first = await rig.sync(connection)  # ends after the census looked
        late = await request.when_due(rig.actor.scope, connection)
        nothing_due = await tick.execute()
        clock.advance(timedelta(seconds=DEFAULT_INTERVAL_SECONDS))
        scheduled = await tick.execute()
        runs = rig.store.tables.of(SyncTables).runs

        assert connection in named
        assert first.status is RunStatus.SUCCEEDED
        assert late is None
        assert nothing_due == 0
        assert scheduled == 1
        assert sorted(r.trigger.value for r in runs.values()) == sorted(
            [RunTrigger.MANUAL.value, RunTrigger.SCHEDULE.value]
        )
