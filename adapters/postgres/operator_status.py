"""The facts behind ``atlas status``, read from the database as the backup role.

The counts cross tenants, which no unit of work may do: like ``atlas tenants list`` this reads
as atlas_backup (BYPASSRLS, read-only), never as the app role. Every query returns counts,
ages, providers and version numbers; no tenant id, name, email or record leaves the database.
One read-only transaction: every age is measured against the same ``now()``.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal

import asyncpg

from adapters.postgres.feed_listener import LISTENER_NAME
from adapters.postgres.jobs import SCHEDULE_ENTRYPOINT
from adapters.postgres.jobs_schema import JOBS_SCHEMA
from adapters.postgres.roles import SCHEMA
from adapters.postgres.url import DatabaseUrl
from application.operations.status import (
    ConnectionFacts,
    DatabaseFacts,
    JobKind,
    KeyVersionFacts,
    StalestSync,
    StatusFacts,
    WorkerFacts,
)

CONNECT_SECONDS = 5.0  # an operator waits this long at most to learn the database is away
_FAULTS = (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError)

_SERVER = """
    SELECT current_setting('server_version') AS version,
           pg_database_size(current_database()) AS size,
           to_regclass($1) IS NOT NULL AS migrated
"""
_REVISION = f"SELECT version_num FROM {SCHEMA}.alembic_version"  # noqa: S608 - constant
_DUE = "status = 'queued' AND execute_after <= now()"
_QUEUE = f"""
    SELECT entrypoint,
           count(*) FILTER (WHERE {_DUE}) AS queued,
           count(*) FILTER (WHERE status = 'queued' AND execute_after > now()) AS later,
           count(*) FILTER (WHERE status = 'picked') AS running,
           extract(epoch FROM now() - min(execute_after) FILTER (WHERE {_DUE})) AS oldest
    FROM {JOBS_SCHEMA}.pgqueuer
    GROUP BY entrypoint
    ORDER BY entrypoint
"""  # noqa: S608 - constant schema and clauses
_TICK = f"""
    SELECT extract(epoch FROM now() - max(last_run)) AS ago
    FROM {JOBS_SCHEMA}.pgqueuer_schedules WHERE entrypoint = $1
"""  # noqa: S608 - constant schema
# A worker beats every half heartbeat timeout; past the whole timeout another may take the job.
_BUSY = f"""
    SELECT count(DISTINCT queue_manager_id) FILTER (WHERE heartbeat > now() - $1::interval)
               AS busy,
           count(*) FILTER (WHERE heartbeat <= now() - $1::interval) AS stale
    FROM {JOBS_SCHEMA}.pgqueuer WHERE status = 'picked'
"""  # noqa: S608 - constant schema
_BY_STATUS = f"SELECT status, count(*) AS n FROM {SCHEMA}.connections GROUP BY status"  # noqa: S608
# An active connection that never succeeded counts from its creation: a first sync that never
# lands is as stale as a later one that stopped.
_LAST_SUCCESS = f"""
    SELECT c.provider, s.last_success_at IS NULL AS never,
           extract(epoch FROM now() - coalesce(s.last_success_at, c.created_at)) AS age
    FROM {SCHEMA}.connections c
    LEFT JOIN {SCHEMA}.sync_schedules s
           ON s.tenant_id = c.tenant_id AND s.connection_id = c.connection_id
    WHERE c.status = 'active'
"""  # noqa: S608 - constant schema
_STALEST = f"SELECT provider, never, age FROM ({_LAST_SUCCESS}) a ORDER BY age DESC LIMIT 1"  # noqa: S608
_STALE = f"SELECT count(*) FROM ({_LAST_SUCCESS}) a WHERE age > $1"  # noqa: S608
# application_name stays visible in pg_stat_activity to a role that is not the session's own.
_LISTENERS = """
    SELECT count(*) FROM pg_stat_activity
    WHERE datname = current_database() AND application_name = $1
"""
_KEYS = f"""
    SELECT version, state, encryption_count,
           extract(epoch FROM now() - created_at) / 86400 AS age_days
    FROM {SCHEMA}.vault_key_versions ORDER BY version
"""  # noqa: S608 - constant schema


class StatusUnreachable(Exception):
    """The database did not answer, or refused the backup role; the reason, never a secret."""


async def read(
    backup: DatabaseUrl, *, head: str, stale_after_seconds: float, heartbeat_seconds: float
) -> StatusFacts:
    """Everything but the backups (files, not rows); StatusUnreachable when it cannot."""
    try:
        connection = await asyncpg.connect(**backup.asyncpg_kwargs(), timeout=CONNECT_SECONDS)
    except _FAULTS as error:
        raise StatusUnreachable(f"unreachable: {_reason(error)}") from None
    try:
        async with connection.transaction(readonly=True, isolation="repeatable_read"):
            return await _read(connection, head, stale_after_seconds, heartbeat_seconds)
    except _FAULTS as error:
        raise StatusUnreachable(f"a query was refused: {_reason(error)}") from None
    finally:
        with contextlib.suppress(*_FAULTS):  # a lost connection has nothing left to close
            await connection.close(timeout=CONNECT_SECONDS)


async def _read(
    connection: asyncpg.Connection, head: str, stale_after: float, heartbeat: float
) -> StatusFacts:
    server = await connection.fetchrow(_SERVER, f"{SCHEMA}.alembic_version")
    revision = await connection.fetchval(_REVISION) if server["migrated"] else None
    database = DatabaseFacts(
        server_version=server["version"], size_bytes=server["size"], revision=revision, head=head
    )
    if revision is None:  # nothing else exists yet to read
        return _database_only(database)
    if revision != head:
        # The queries below read this release's schema; an older one may lack what they read.
        try:
            async with connection.transaction():  # a savepoint: the reading goes on after it
                return await _read_rest(connection, database, stale_after, heartbeat)
        except (asyncpg.UndefinedTableError, asyncpg.UndefinedColumnError):
            return _database_only(database)
    return await _read_rest(connection, database, stale_after, heartbeat)


def _database_only(database: DatabaseFacts) -> StatusFacts:
    return StatusFacts(
        database=database, queue=[], feed_listeners=0, key_versions=[],
        workers=WorkerFacts(tick_seconds_ago=None, busy=0, stale_running=0),
        connections=ConnectionFacts(by_status={}, stalest=None, stale=0),
    )  # fmt: skip


async def _read_rest(
    connection: asyncpg.Connection, database: DatabaseFacts, stale_after: float, heartbeat: float
) -> StatusFacts:
    queue = [
        JobKind(entrypoint=r["entrypoint"], queued=r["queued"], later=r["later"],
                running=r["running"], oldest_seconds=_float(r["oldest"]))
        for r in await connection.fetch(_QUEUE)
    ]  # fmt: skip
    busy = await connection.fetchrow(_BUSY, timedelta(seconds=heartbeat))
    workers = WorkerFacts(
        tick_seconds_ago=_float(await connection.fetchval(_TICK, SCHEDULE_ENTRYPOINT)),
        busy=busy["busy"], stale_running=busy["stale"],
    )  # fmt: skip
    keys = [
        KeyVersionFacts(version=r["version"], state=r["state"], encryptions=r["encryption_count"],
                        age_days=float(r["age_days"]))
        for r in await connection.fetch(_KEYS)
    ]  # fmt: skip
    return StatusFacts(
        database=database, queue=queue, workers=workers,
        connections=await _connections(connection, stale_after),
        feed_listeners=await connection.fetchval(_LISTENERS, LISTENER_NAME), key_versions=keys,
    )  # fmt: skip


async def _connections(connection: asyncpg.Connection, stale_after: float) -> ConnectionFacts:
    by_status = {r["status"]: r["n"] for r in await connection.fetch(_BY_STATUS)}
    row = await connection.fetchrow(_STALEST)
    stalest = None
    if row is not None:
        stalest = StalestSync(
            provider=row["provider"], age_seconds=float(row["age"]), never_succeeded=row["never"]
        )
    stale = await connection.fetchval(_STALE, stale_after)
    return ConnectionFacts(by_status=by_status, stalest=stalest, stale=stale)


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def _reason(error: BaseException) -> str:
    """The error's kind and text: a driver's message names hosts, roles and causes, and the
    URL's password is never part of it."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
