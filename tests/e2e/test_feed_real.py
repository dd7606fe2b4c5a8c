"""The realtime feed on the real stack: two ``atlas serve`` processes on one PostgreSQL, real
WebSockets (WSS on the first), events written by the processes and by the outbox itself.

Proves what the issue asks of the processes: an event committed in one process reaches a
subscriber of the other; a client that was away resumes with ``after`` and receives exactly
what it missed, in order, none twice, also across a killed listener connection; the refusals
(a foreign Origin, a token in the URL, an expired token, an oversized frame, a slow consumer,
a logout mid-stream); a database restart is in test_feed_restart_real.py.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from uuid import UUID, uuid4

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from adapters.clock import SystemClock
from adapters.crypto.jwt_keyring import KeyringFile
from adapters.crypto.jwt_tokens import JwtAccessTokens
from adapters.postgres.throwaway import ThrowawayDatabase
from adapters.postgres.uow import PostgresUnitOfWork
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.feed.events import EventKind, FeedEvent
from domain.identity.model import Role
from domain.shared.ids import TenantId, UserId
from entrypoints.identity_wiring import keyring_path
from entrypoints.settings import load_settings
from tests.conftest import FreshDatabase, fresh_copy
from tests.e2e.imports_http import wait_for_import
from tests.factories.event_logs import event_log
from tests.factories.feed_stack import (
    FeedClient,
    ServedApi,
    claims_of,
    kill_feed_listeners,
    log_in,
    scope_of,
    sign_up,
    two_api_processes,
)
from tests.factories.sync_fleet import WorkerProcess

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
async def fresh_database(
    database: ThrowawayDatabase, migrated_template: str
) -> AsyncIterator[FreshDatabase]:
    """One database for the module: every test signs up a tenant of its own."""
    async with fresh_copy(database, migrated_template) as fresh:
        yield fresh


@pytest.fixture(scope="module")
async def tmp_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("feed")


@pytest.fixture(scope="module")
async def apis(
    fresh_database: FreshDatabase, tmp_path: Path
) -> AsyncIterator[tuple[ServedApi, ServedApi]]:
    url = fresh_database.app.render(hide_password=False)
    # Small limits, so a slow consumer shows within seconds and a burst overflows a queue.
    async with two_api_processes(tmp_path / "atlas", url, tmp_path, ATLAS_FEED_QUEUE_EVENTS="50",
                                 ATLAS_FEED_STALL_SECONDS="2") as both:  # fmt: skip
        yield both


async def _announce(fresh_database: FreshDatabase, scope: Scope, count: int, *,
                    per_transaction: int = 25, start: int = 0) -> None:  # fmt: skip
    """``count`` events through the real outbox, as a worker's sync pages would write them."""
    for first in range(start, start + count, per_transaction):
        async with PostgresUnitOfWork(fresh_database.sessions, scope) as uow:
            for n in range(first, min(first + per_transaction, start + count)):
                uow.events.announce(FeedEvent(kind=EventKind.SYNC_PROGRESS, data={"n": n}))
            await uow.commit()


async def test_an_event_committed_in_one_process_reaches_a_subscriber_of_the_other(
    apis: tuple[ServedApi, ServedApi],
) -> None:
    wss, plain = apis
    email = f"owner-{uuid4().hex[:8]}@example.com"
    owner = await sign_up(plain, email)
    subscriber = FeedClient(wss, owner["access_token"])  # over WSS
    ready = await subscriber.open()
    assert ready == {"type": "ready", "seq": 0}
    await log_in(plain, email)  # committed by the other process: a new sign-in
    alert = await subscriber.receive()
    assert (alert["type"], alert["kind"], alert["seq"]) == ("event", "security.alert", 1)
    assert alert["data"]["alert"] == "sign_in"
    assert datetime.fromisoformat(alert["at"]).tzinfo is not None
    assert alert["at"].endswith("Z")
    assert set(alert) == {"type", "seq", "kind", "at", "data"}
    await subscriber.close()


async def test_a_client_away_while_1000_events_were_written_receives_exactly_those(
    apis: tuple[ServedApi, ServedApi], fresh_database: FreshDatabase
) -> None:
    wss, plain = apis
    owner = await sign_up(wss, f"owner-{uuid4().hex[:8]}@example.com")
    scope = scope_of(owner)
    await _announce(fresh_database, scope, 10)
    first = FeedClient(plain, owner["access_token"])
    assert (await first.open(after=0))["seq"] == 10
    await first.collect_until(10)
    await first.close()
    await _announce(fresh_database, scope, 1000, start=10)  # nobody listens for these
    again = FeedClient(wss, owner["access_token"])
    assert (await again.open(after=first.last))["seq"] == 1010
    await again.collect_until(1010)
    assert [e["seq"] for e in again.events] == list(range(11, 1011))
    assert [e["data"]["n"] for e in again.events] == list(range(10, 1010))
    await again.close()


async def test_a_killed_listener_reconnects_and_the_open_socket_misses_nothing(
    apis: tuple[ServedApi, ServedApi], fresh_database: FreshDatabase
) -> None:
    wss, plain = apis
    owner = await sign_up(plain, f"owner-{uuid4().hex[:8]}@example.com")
    subscribers = [FeedClient(api, owner["access_token"]) for api in (wss, plain)]
    for subscriber in subscribers:
        await subscriber.open()
    killed = await kill_feed_listeners(fresh_database.superuser, fresh_database.app.database)
    assert killed == 2  # one per API process
    await _announce(fresh_database, scope_of(owner), 300)  # while neither listens
    for subscriber in subscribers:
        await subscriber.collect_until(300, resume=False)  # the same socket, never reopened
        assert [e["seq"] for e in subscriber.events] == list(range(1, 301))
        await subscriber.close()


async def test_refusals_before_the_upgrade_foreign_origin_and_token_in_the_url(
    apis: tuple[ServedApi, ServedApi],
) -> None:
    wss, _ = apis
    owner = await sign_up(wss, f"owner-{uuid4().hex[:8]}@example.com")
    for url, origin in (
        (wss.feed_url, "https://evil.example"),
        (f"{wss.feed_url}?access_token={owner['access_token']}", None),
    ):
        with pytest.raises(InvalidStatus) as refused:
            await connect(url, ssl=wss.ssl, origin=origin, open_timeout=30)  # type: ignore[arg-type]
        assert refused.value.response.status_code == 403
    allowed = FeedClient(wss, owner["access_token"], origin="https://127.0.0.1:8443")
    await allowed.open()
    await allowed.close()


async def _closed_after_auth(api: ServedApi, token: str) -> int | None:
    async with connect(api.feed_url, ssl=api.ssl, open_timeout=30) as socket:  # type: ignore[arg-type]
        await socket.send(json.dumps({"type": "auth", "access_token": token, "after": None}))
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 30)  # nothing is sent before the close
    return closed.value.rcvd.code if closed.value.rcvd else None


async def test_an_expired_or_forged_token_is_closed_4401_and_told_nothing(
    apis: tuple[ServedApi, ServedApi], tmp_path: Path
) -> None:
    wss, plain = apis
    owner = await sign_up(wss, f"owner-{uuid4().hex[:8]}@example.com")
    claims = claims_of(owner)
    actor = Actor(tenant_id=TenantId(UUID(claims["tid"])), user_id=UserId(UUID(claims["sub"])),
                  role=Role(claims["role"]), session_id=UUID(claims["sid"]))  # fmt: skip
    # Signed with the servers' own key, but it expired a minute ago.
    settings = load_settings({"ATLAS_DATA_DIR": str(tmp_path / "atlas")}, cwd=tmp_path)
    issuer = JwtAccessTokens(
        KeyringFile(keyring_path(settings), settings.identity.jwt_algorithm),
        issuer=settings.identity.jwt_issuer, audience=settings.identity.jwt_audience,
        lifetime=timedelta(minutes=-1), leeway=timedelta(0), clock=SystemClock(),
    )  # fmt: skip
    expired = issuer.mint(actor).token.reveal()
    assert await _closed_after_auth(plain, expired) == 4401
    assert await _closed_after_auth(plain, owner["access_token"][:-4] + "AAAA") == 4401
    assert await _closed_after_auth(wss, "") == 4401


async def test_an_oversized_frame_closes_the_socket(apis: tuple[ServedApi, ServedApi]) -> None:
    _, plain = apis
    owner = await sign_up(plain, f"owner-{uuid4().hex[:8]}@example.com")
    subscriber = FeedClient(plain, owner["access_token"])
    await subscriber.open()
    assert subscriber.socket is not None
    await subscriber.socket.send(json.dumps({"type": "ping", "pad": "x" * 70_000}))
    assert await subscriber.closed_with() == 1009  # message too big


async def test_a_client_that_stops_reading_is_closed_4408_and_resumes_without_loss(
    apis: tuple[ServedApi, ServedApi], fresh_database: FreshDatabase
) -> None:
    _, plain = apis
    owner = await sign_up(plain, f"owner-{uuid4().hex[:8]}@example.com")
    slow = FeedClient(plain, owner["access_token"])
    # It reads nothing while 20,000 events arrive (about 3 MB): its own queue holds one
    # message, then the kernel's buffers fill, then the server's sends stall.
    receive_buffer = socket.socket()
    receive_buffer.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    receive_buffer.connect(("127.0.0.1", int(plain.base.rsplit(":", 1)[1])))
    await slow.open(max_queue=1, sock=receive_buffer)
    await _announce(fresh_database, scope_of(owner), 20_000, per_transaction=5_000)
    assert await slow.closed_with() == 4408
    assert slow.last is not None
    assert slow.last < 20_000
    await slow.open(after=slow.last)
    await slow.collect_until(20_000)
    assert [e["seq"] for e in slow.events] == list(range(1, 20_001))
    await slow.close()


async def test_a_burst_larger_than_the_queue_reaches_a_healthy_client_on_the_same_socket(
    apis: tuple[ServedApi, ServedApi], fresh_database: FreshDatabase
) -> None:
    _, plain = apis
    owner = await sign_up(plain, f"owner-{uuid4().hex[:8]}@example.com")
    subscriber = FeedClient(plain, owner["access_token"])
    await subscriber.open()
    await _announce(fresh_database, scope_of(owner), 500, per_transaction=500)  # ten queues' worth
    await subscriber.collect_until(500, resume=False)
    assert [e["seq"] for e in subscriber.events] == list(range(1, 501))
    await subscriber.close()


async def test_logging_out_closes_the_sessions_open_socket_4401(
    apis: tuple[ServedApi, ServedApi],
) -> None:
    wss, plain = apis
    owner = await sign_up(wss, f"owner-{uuid4().hex[:8]}@example.com")
    subscriber = FeedClient(wss, owner["access_token"])
    await subscriber.open()
    async with plain.client() as client:  # the other process ends the session
        answer = await client.post(
            "/api/v1/auth/logout",
            json={"refresh_token": owner["refresh_token"]},
            headers={"Authorization": f"Bearer {owner['access_token']}"},
        )
    assert answer.status_code == 204, answer.text
    assert await subscriber.closed_with() == 4401


async def test_a_socket_that_never_authenticates_is_closed_4401_after_ten_seconds(
    apis: tuple[ServedApi, ServedApi],
) -> None:
    _, plain = apis
    async with connect(plain.feed_url, open_timeout=30) as socket:
        started = asyncio.get_running_loop().time()
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 30)
        waited = asyncio.get_running_loop().time() - started
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4401
    assert waited >= 9.5  # the protocol's grace, not a timing target


async def test_an_import_is_followed_on_the_feed_and_read_back_on_another_process(
    apis: tuple[ServedApi, ServedApi], tmp_path: Path
) -> None:
    """Taken by one API process, run by a worker process, read back on the other API process:
    the import outlives the request, and its progress reaches the feed from the worker."""
    wss, plain = apis
    owner = await sign_up(wss, f"owner-{uuid4().hex[:8]}@example.com")
    subscriber = FeedClient(plain, owner["access_token"])
    await subscriber.open()
    import_id = str(uuid4())
    headers = {"Authorization": f"Bearer {owner['access_token']}", "X-Import-Id": import_id}
    async with wss.client() as client:
        answer = await client.post(
            "/api/v1/graph/imports", content=event_log("helpdesk.xes.gz").read_bytes(),
            headers=headers, params={"object_type": "ticket"},
        )  # fmt: skip
    assert answer.status_code == 202, answer.text
    assert answer.json()["state"] == "queued"
    worker = WorkerProcess(wss.env, tmp_path / "worker.log")
    try:
        await worker.started()
        kinds: list[str] = []
        while "import.finished" not in kinds:
            message = await subscriber.receive()
            kinds.append(message["kind"])
            if message["kind"] == "import.finished":
                assert message["data"]["import_id"] == import_id
                assert (message["data"]["state"], message["data"]["events"]) == ("done", 21_348)
        # The worker records the end just after the import's commit: polled, not assumed.
        async with plain.client() as client:  # not the process that took it
            state = await wait_for_import(client, f"/api/v1/graph/imports/{import_id}", headers)
    finally:
        worker.close()
    assert kinds[0] == "import.progress"
    assert kinds[-2:] == ["graph.changed", "import.finished"]  # committed with the import
    assert (state["state"], state["events"]) == ("succeeded", 21_348)
    assert state["summary"]["written"]["inserted"] == 21_348
    await subscriber.close()
