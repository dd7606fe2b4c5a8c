"""Slack sync under faults: an expired page cursor mid-pass, a rate limit, a refused grant,
an expired token."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from adapters.connectors.slack import history
from adapters.sandbox.faults import FaultRule, RateLimit, Unauthorized
from adapters.sandbox.providers.ids import slack_id
from domain.integrations.connection import ConnectionStatus
from domain.sync.run import RunStatus
from tests.factories.slack_rig import (
    checkpoint,
    connection_status,
    one_attempt,
    request_run,
    slack_activities,
    stored_ids,
)
from tests.factories.slack_sandbox import expected_ids, future_burst, parents, replies, source_id
from tests.factories.sync_rig import sync_rig


async def test_an_expired_cursor_mid_pagination_restarts_the_window_and_reconciles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with sync_rig(tmp_path) as rig:
        # A burst in #general, the first channel listed: on its own it fills four pages of two.
        burst = future_burst(rig.sandbox, rig.sandbox.clock.now())
        rig.sandbox.clock.advance(burst[0].ts + timedelta(minutes=2) - rig.sandbox.clock.now())
        connection = await rig.connect("slack")
        await rig.sync(connection)
        general = slack_id("C", burst[0].channel)
        first = checkpoint(rig, connection, general)
        before = rig.sandbox.clock.now() - timedelta(days=2)
        old = next(
            m
            for m in parents(rig.sandbox, before)
            if m.channel == burst[0].channel and not replies(rig.sandbox, m, before)
        )
        rig.sandbox.mutations.delete("message", old.key, rig.sandbox.clock.now())
        rig.sandbox.clock.advance(timedelta(hours=1))
        monkeypatch.setattr(history, "HISTORY_PAGE", 2)
        run_id = await request_run(rig, connection)
        # The fourth page is throttled for an hour: the job goes back mid-pass.
        rig.sandbox.faults.add(
            FaultRule(
                provider="slack",
                path="/api/conversations.history",
                skip=3,
                fault=RateLimit(retry_after=3600),
            )
        )
        stopped = await one_attempt(rig)
        paused = rig.run(run_id)
        midway = checkpoint(rig, connection, general).current

        rig.sandbox.cursors.expire("slack")
        rig.sandbox.clock.advance(timedelta(seconds=stopped.come_back_after or 0))
        await rig.drain()

        assert paused.status is RunStatus.WAITING
        assert midway is not None
        assert not midway.full  # an ordinary pass over the last day, stopped in the middle
        assert midway.page
        assert rig.sandbox.stats.get("slack", "refused:invalid_cursor") >= 1
        assert rig.run(run_id).status is RunStatus.SUCCEEDED
        assert stored_ids(rig) == expected_ids(rig.sandbox)
        assert slack_activities(rig) == len(expected_ids(rig.sandbox))
        assert source_id(rig.sandbox, old) not in stored_ids(rig)  # reconciled at the restart
        resumed = checkpoint(rig, connection, general)
        assert resumed.current is None
        assert first.reconciled_at is not None
        assert resumed.reconciled_at == resumed.at != first.reconciled_at


async def test_a_rate_limited_answer_is_waited_out(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("slack")
        rig.sandbox.faults.add(
            FaultRule(
                provider="slack",
                path="/api/conversations.history",
                times=2,
                fault=RateLimit(retry_after=30),
            )
        )
        before = rig.sandbox.clock.now()
        settled = expected_ids(rig.sandbox, before)

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert run.attempts == 1  # waited inside the run, not handed back
        assert rig.sandbox.stats.get("slack", "fault:RateLimit") == 2
        assert rig.sandbox.clock.now() - before >= timedelta(seconds=60)  # Retry-After, twice
        assert settled <= stored_ids(rig) <= expected_ids(rig.sandbox)


async def test_invalid_auth_marks_the_connection_needs_reauth_and_cancels_the_run(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("slack")
        rig.sandbox.faults.add(
            FaultRule(provider="slack", path="/api/conversations.history", fault=Unauthorized())
        )

        run = await rig.sync(connection)

        assert run.status is RunStatus.CANCELLED
        assert run.attempts == 1  # never retried
        assert connection_status(rig, connection) is ConnectionStatus.NEEDS_REAUTH
        assert rig.sandbox.stats.get("slack", "refreshes") == 0  # no renewal for a dead grant


async def test_an_expired_token_is_renewed_once_and_the_sync_goes_on(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("slack")
        rig.sandbox.faults.add(
            FaultRule(
                provider="slack",
                path="/api/conversations.history",
                fault=Unauthorized(reason="expired"),
            )
        )

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert rig.sandbox.stats.get("slack", "refreshes") == 1
        assert connection_status(rig, connection) is ConnectionStatus.ACTIVE
        assert stored_ids(rig) == expected_ids(rig.sandbox)
