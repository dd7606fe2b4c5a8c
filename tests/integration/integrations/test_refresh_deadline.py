"""Token refresh under a hung provider (issue 14, item 4), on PostgreSQL with the production pool.

A provider that drips its answer forever ends every refresh at the deadline as the retryable
outcome; more refreshes at once than the pool holds all end, none waits on the pool, and only
a few hold a database connection across the provider call; refreshes and disconnects of the
same connections, racing, take their locks in one order and PostgreSQL reports no deadlock.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout

from adapters.postgres.throwaway import ThrowawayDatabase
from application.integrations.connection_tokens import AccessGrant
from application.vault.oauth_tokens import open_tokens
from domain.integrations.connection import ConnectionStatus
from domain.integrations.errors import RefreshUnavailable
from tests.conftest import FreshDatabase
from tests.factories.refresh_fleet import Job
from tests.factories.refresh_rig import PgWatch, Rig, refresh_rig

pytestmark = pytest.mark.integration

DEADLINE = 1.5  # seconds: the provider call's total deadline, small for the test
LOCK_TIMEOUT = 4.0  # longer than the deadline, as the settings require
GUARD = 10 * (DEADLINE + LOCK_TIMEOUT)  # "does not hang": generous, never a precision check
HUBSPOT_TOKEN = "/oauth/2026-03/token"
DRIP = {"kind": "drip", "interval": 0.1}  # a byte every 100 ms, forever


async def _state(rig: Rig, job: Job) -> tuple[Any, Any]:
    async with rig.uow_for(job.scope) as uow:
        connection = await uow.connections.get(job.connection_id)
        sealed = await uow.oauth_tokens.get(job.connection_id)
    return connection, sealed


async def test_a_refresh_against_a_provider_dripping_forever_ends_at_the_deadline_retryable(
    fresh_database: FreshDatabase,
) -> None:
    async with refresh_rig(
        fresh_database, providers=["hubspot"], connections=1,
        deadline_seconds=DEADLINE, lock_timeout_seconds=LOCK_TIMEOUT,
    ) as rig:  # fmt: skip
        (job,) = rig.jobs
        _, sealed_before = await _state(rig, job)
        await rig.fault({"provider": "hubspot", "path": HUBSPOT_TOKEN, "times": None,
                         "fault": DRIP})  # fmt: skip

        async with asyncio.timeout(GUARD):
            with pytest.raises(RefreshUnavailable) as first:
                await rig.tokens.access_token(job.scope, job.connection_id)
        connection, sealed_after = await _state(rig, job)
        drips = rig.sandbox.stats.get("hubspot", "fault:Drip")
        refreshed = rig.sandbox.stats.get("hubspot", "refreshes")

    assert first.value.details["reason"] == "timeout"  # the deadline ended it, not an answer
    assert drips == 1
    assert refreshed == 0
    assert connection.status is ConnectionStatus.ERROR
    assert connection.retry_not_before is not None
    assert sealed_after == sealed_before  # the tokens are untouched


async def test_salesforces_two_calls_share_one_deadline_and_keep_the_new_tokens(
    fresh_database: FreshDatabase,
) -> None:
    async with refresh_rig(
        fresh_database, providers=["salesforce"], connections=1,
        deadline_seconds=DEADLINE, lock_timeout_seconds=LOCK_TIMEOUT,
    ) as rig:  # fmt: skip
        (job,) = rig.jobs
        await rig.fault({"provider": "salesforce", "path": "/services/oauth2/introspect",
                         "times": None, "fault": DRIP})  # fmt: skip
        async with asyncio.timeout(GUARD):
            grant = await rig.tokens.access_token(job.scope, job.connection_id)
        connection, sealed = await _state(rig, job)
        stored = await open_tokens(rig.vault, sealed)
        refreshed = rig.sandbox.stats.get("salesforce", "refreshes")
        dripped = rig.sandbox.stats.get("salesforce", "fault:Drip")

    # The token call answered; the introspection after it dripped until the shared deadline
    # ran out, and the refresh kept the tokens it had paid for, without an expiry.
    assert (refreshed, dripped) == (1, 1)
    assert isinstance(grant, AccessGrant)
    assert stored.access_token == grant.access_token
    assert stored.expires_at is None
    assert connection.status is ConnectionStatus.ACTIVE


async def _outcome(call: Any) -> str:
    try:
        await call
    except PoolTimeout:
        return "pool_timeout"
    except Exception as error:  # the outcome is what the tests read
        return type(error).__name__
    return "granted"


async def test_more_refreshes_than_the_production_pool_all_end_and_few_hold_a_connection(
    fresh_database: FreshDatabase, database: ThrowawayDatabase
) -> None:
    async with refresh_rig(
        fresh_database, providers=["hubspot"], connections=25,
        deadline_seconds=DEADLINE, lock_timeout_seconds=LOCK_TIMEOUT,
    ) as rig:  # fmt: skip
        assert len(rig.jobs) > rig.pool_capacity  # more connections than the pool, and
        callers = [job for job in rig.jobs for _ in range(2)]  # two callers of each
        watch = PgWatch(database, fresh_database.superuser)
        deadlocks = await watch.deadlocks()
        await rig.fault({"provider": "hubspot", "path": HUBSPOT_TOKEN, "times": None,
                         "fault": DRIP})  # fmt: skip

        async with watch.pinned() as pinned:
            async with asyncio.timeout(GUARD):
                outcomes = await asyncio.gather(*(
                    _outcome(rig.tokens.access_token(job.scope, job.connection_id))
                    for job in callers
                ))  # fmt: skip
        drips = rig.sandbox.stats.get("hubspot", "fault:Drip")
        states = [await _state(rig, job) for job in rig.jobs]
    deadlocks_after = await watch.deadlocks()  # the pool is closed: every backend reported

    counted = Counter(outcomes)
    assert set(counted) <= {"RefreshUnavailable", "RefreshBusy"}, counted  # no pool timeout
    by_connection = {
        job.connection_id: {o for j, o in zip(callers, outcomes, strict=True) if j == job}
        for job in rig.jobs
    }
    assert all(len(seen) == 1 for seen in by_connection.values())  # callers shared a flight
    assert drips == counted["RefreshUnavailable"] // 2  # one provider call per flight flown
    assert max(pinned) <= rig.policy.concurrent_refreshes < rig.pool_capacity
    assert sum(s[0].status is ConnectionStatus.ERROR for s in states) == drips
    assert deadlocks_after == deadlocks
    assert watch.logged_deadlocks() == []


async def test_refreshes_and_disconnects_of_the_same_connections_racing_never_deadlock(
    fresh_database: FreshDatabase, database: ThrowawayDatabase
) -> None:
    async with refresh_rig(
        fresh_database, providers=["jira"], connections=24,
        deadline_seconds=DEADLINE, lock_timeout_seconds=LOCK_TIMEOUT,
    ) as rig:  # fmt: skip
        watch = PgWatch(database, fresh_database.superuser)
        deadlocks = await watch.deadlocks()
        # A slow token endpoint: each refresh holds its lock while the disconnect arrives. Jira
        # has no revocation endpoint: the disconnect never spoils the refresh at the provider,
        # so refreshes succeed and write their token row while a disconnect wants it.
        await rig.fault({"provider": "jira", "path": "/oauth/token", "method": "POST",
                         "times": None, "fault": {"kind": "slow", "seconds": 0.3}})  # fmt: skip

        async def race(job: Job, n: int) -> tuple[str, str]:
            refresh = _outcome(rig.tokens.access_token(job.scope, job.connection_id))
            lead = (n % 4) * 0.1  # the disconnect before, during and after the refresh's call
            return await asyncio.gather(refresh, _disconnected(rig, job, lead))

        # In rounds of as many as refresh at once: each refresh holds its row lock at once.
        wave, raced = rig.policy.concurrent_refreshes, []
        async with asyncio.timeout(GUARD * len(rig.jobs) / wave):
            for start in range(0, len(rig.jobs), wave):
                jobs = enumerate(rig.jobs[start : start + wave], start)
                raced += await asyncio.gather(*(race(job, n) for n, job in jobs))
        states = [await _state(rig, job) for job in rig.jobs]
    deadlocks_after = await watch.deadlocks()

    refreshes = Counter(r for r, _ in raced)
    assert {d for _, d in raced} == {"disconnected"}
    # Granted before the disconnect, or after it: revoked; or the provider had already taken
    # the grant back (the disconnect revokes there before it locks): needs_reauth.
    assert set(refreshes) <= {"granted", "ConnectionRevoked", "ConnectionNeedsReauth"}, refreshes
    assert all(c.status is ConnectionStatus.REVOKED and s is None for c, s in states)
    assert deadlocks_after == deadlocks
    assert watch.logged_deadlocks() == []


async def _disconnected(rig: Rig, job: Job, after: float) -> str:
    await asyncio.sleep(after)
    try:
        await rig.disconnect.in_scope(job.scope, job.connection_id, purge=False)
    except Exception as error:  # the outcome is what the tests reads
        return type(error).__name__
    return "disconnected"
