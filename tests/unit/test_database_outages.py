"""A database that goes away (restart, failover) is a 503 to retry, not a 500, and a worker
takes jobs again once it is back. Found by ``python -m bench load`` restarting PostgreSQL
under two API processes and two workers: the APIs answered 500 and both workers exited."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient
from sqlalchemy.exc import DBAPIError

from adapters.postgres import worker_outages
from adapters.postgres.errors import DatabaseUnavailable, database_gone, translate
from adapters.postgres.worker_outages import run_through_outages
from domain.shared.errors import StorageError
from entrypoints.http.errors import exception_handlers, status_of

pytestmark = pytest.mark.unit


def _wrapped(cause: BaseException, *, invalidated: bool = False) -> DBAPIError:
    """As SQLAlchemy's asyncpg dialect raises it: the adapter's error, asyncpg's as its cause."""
    orig = Exception(str(cause))
    orig.__cause__ = cause
    return DBAPIError("SELECT 1", {}, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    "error",
    [
        FileNotFoundError(2, "No such file or directory"),  # the Unix socket is gone
        ConnectionRefusedError(111, "Connection refused"),
        asyncpg.CannotConnectNowError("the database system is starting up"),
        _wrapped(asyncpg.AdminShutdownError("terminating connection")),
        _wrapped(asyncpg.ConnectionDoesNotExistError("connection was closed")),
        _wrapped(ValueError("anything"), invalidated=True),
        asyncpg.InterfaceError("connection is closed"),
    ],
)
def test_a_server_gone_is_recognised(error: BaseException) -> None:
    assert database_gone(error)


@pytest.mark.parametrize(
    "error",
    [
        _wrapped(asyncpg.UniqueViolationError("duplicate key")),
        asyncpg.InterfaceError("cannot perform operation: another operation is in progress"),
        ValueError("a bug"),
        None,
    ],
)
def test_a_wrong_statement_or_a_bug_is_not_an_outage(error: BaseException | None) -> None:
    assert not database_gone(error)


def test_a_translated_outage_is_a_503_and_other_driver_errors_stay_500() -> None:
    gone = translate(_wrapped(asyncpg.AdminShutdownError("terminating connection")))
    assert isinstance(gone, DatabaseUnavailable)
    assert status_of(gone) == 503
    assert isinstance(translate(_wrapped(asyncpg.DataError("bad value"))), StorageError)


async def test_an_outage_under_a_request_answers_503_with_retry_after() -> None:
    @get("/socket-gone")
    async def socket_gone() -> None:
        raise FileNotFoundError(2, "No such file or directory")

    @get("/bug")
    async def bug() -> None:
        raise ValueError("a bug")

    app = Litestar([socket_gone, bug], exception_handlers=exception_handlers())
    async with AsyncTestClient(app) as client:
        gone = await client.get("/socket-gone")
        assert gone.status_code == 503
        assert gone.json()["code"] == "database.unavailable"
        assert gone.headers["retry-after"] == "1"
        assert (await client.get("/bug")).status_code == 500


class _Worker:
    """Fails as told, one failure per run, then runs until stopped."""

    def __init__(self, *failures: Exception) -> None:
        self.failures, self.runs = list(failures), 0

    async def run(self) -> None:
        self.runs += 1
        if self.failures:
            raise self.failures.pop(0)


@pytest.fixture
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(worker_outages, "FIRST_PAUSE", 0.0)


async def test_a_worker_runs_again_after_each_outage(no_pause: Any) -> None:
    state = asyncpg.exceptions._base.InternalClientError("cannot switch to state 12")
    worker = _Worker(ConnectionRefusedError(), _wrapped(asyncpg.AdminShutdownError("x")), state)
    await run_through_outages(worker.run)
    assert worker.runs == 4


async def test_a_worker_still_ends_on_a_bug_and_once_stopping(no_pause: Any) -> None:
    worker = _Worker(ValueError("a bug"))
    with pytest.raises(ValueError, match="a bug"):
        await run_through_outages(worker.run)
    assert worker.runs == 1
    stopping = _Worker(ConnectionRefusedError())
    with pytest.raises(ConnectionRefusedError):
        await run_through_outages(stopping.run, lambda: True)
    assert stopping.runs == 1
