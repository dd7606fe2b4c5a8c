"""Reading what a Slack sync left in the fast tier's rig: stored ids, run figures, cursors,
and driving a run one attempt at a time."""

from __future__ import annotations

from uuid import UUID

import msgspec

from adapters.connectors.slack import history
from adapters.fakes.integrations import IntegrationsTables
from adapters.fakes.sync import SyncTables
from application.sync.policy import RunOutcome
from domain.integrations.connection import ConnectionStatus
from domain.sync.run import RunTrigger, SyncRun
from tests.factories.sync_rig import SyncRig, built


def stored_ids(rig: SyncRig) -> set[str]:
    return {a.ref.source_id for a in rig.activities() if a.ref.provider == "slack"}


def slack_activities(rig: SyncRig) -> int:
    return sum(1 for a in rig.activities() if a.ref.provider == "slack")


def new_records(run: SyncRun) -> int:
    """New graph records (activities, and entities such as threads) the message streams wrote."""
    return sum(s.records_new for s in run.streams if s.stream.startswith("messages:"))


def fetched(run: SyncRun) -> int:
    return sum(s.fetched for s in run.streams if s.stream.startswith("messages:"))


def checkpoint(rig: SyncRig, connection: UUID, channel: str) -> history.ChannelCursor:
    rows = rig.store.tables.of(SyncTables).checkpoints
    _, saved = rows[(rig.actor.tenant_id, connection, f"messages:{channel}")]
    return msgspec.json.decode(saved.cursor, type=history.ChannelCursor)


async def request_run(rig: SyncRig, connection: UUID) -> UUID:
    request = await built(rig.container.use_cases.sync.request_sync)
    requested = await request.execute(rig.actor.scope, connection, RunTrigger.MANUAL)
    return requested.run.id  # type: ignore[no-any-return]


async def one_attempt(rig: SyncRig) -> RunOutcome:
    """What a worker does with the queued job once; a job handed back stays queued."""
    run_sync = await built(rig.container.use_cases.sync.run_sync)
    jobs = rig.store.tables.of(SyncTables).jobs
    connection_id, queued = next(iter(jobs.items()))
    outcome: RunOutcome = await run_sync.execute(queued.job)
    if outcome.come_back_after is None:
        del jobs[connection_id]
    return outcome


def connection_status(rig: SyncRig, connection: UUID) -> ConnectionStatus:
    rows = rig.store.tables.of(IntegrationsTables).connections
    return next(c.status for c in rows.values() if c.id == connection)
