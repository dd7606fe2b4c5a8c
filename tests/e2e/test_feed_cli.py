"""``atlas feed`` against a real server (``atlas serve --no-tls`` in a process of its own, on a
throwaway database): a member's events printed once each and in order, the session's end
stopping it, and a server restart under it costing no event."""

from __future__ import annotations

import asyncio
import json
import signal
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.postgres.uow import PostgresUnitOfWork
from application.shared.scope import Scope
from domain.feed.events import FeedEvent
from domain.shared.ids import TenantId, UserId
from entrypoints.demo import verification_token
from tests.conftest import FreshDatabase
from tests.factories.api_process import ServedApi
from tests.factories.sync_fleet import ATLAS, atlas_env

pytestmark = pytest.mark.e2e

PASSWORD = "correct horse battery staple"
OWNER = "owner@example.com"


@pytest.fixture
def environment(fresh_database: FreshDatabase, tmp_path: Path) -> dict[str, str]:
    return atlas_env(
        tmp_path / "data",
        ATLAS_DATABASE_URL=fresh_database.app.render(hide_password=False),
        ATLAS_SANDBOX="false",
        ATLAS_PASSWORD_HASH_CONCURRENCY="2",
        ATLAS_LOG_LEVEL="WARNING",
    )


@pytest.fixture
async def api(environment: dict[str, str], tmp_path: Path) -> AsyncIterator[ServedApi]:
    server = ServedApi(environment, tmp_path / "api.log")
    try:
        await server.ready()
        yield server
    finally:
        server.stop()


@pytest.fixture
async def http(api: ServedApi) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=api.base, timeout=60) as client:
        yield client


@pytest.fixture
async def owner(api: ServedApi, http: httpx.AsyncClient) -> dict[str, Any]:
    body = {"email": OWNER, "password": PASSWORD, "name": "Olga", "organisation": "Acme"}
    signed_up = await http.post("/api/v1/auth/signup", json=body)
    assert signed_up.status_code == 201, signed_up.text
    # She invites: her address is verified first, by the link in the development outbox.
    outbox = Path(api.env["ATLAS_DATA_DIR"]) / "outbox"
    token = await asyncio.to_thread(verification_token, outbox, signed_up.json()["user_id"])
    verified = await http.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 204, verified.text
    return signed_up.json()  # type: ignore[no-any-return]


class FeedProcess:
    """``atlas feed --json`` in a process of its own: its stdout read line by line."""

    def __init__(self, process: asyncio.subprocess.Process, errors: Path) -> None:
        self.process, self.errors = process, errors
        self.readies: list[int] = []  # the ``seq`` of each ``ready``: one per socket opened

    @classmethod
    async def start(cls, api: ServedApi, *args: str) -> FeedProcess:
        errors = api.log.with_name("feed.err")
        with errors.open("ab") as err:
            process = await asyncio.create_subprocess_exec(
                ATLAS, "feed", "--url", api.base, "--email", OWNER, "--json", *args,
                env=api.env | {"ATLAS_FEED_PASSWORD": PASSWORD, "PYTHONUNBUFFERED": "1"},
                stdout=asyncio.subprocess.PIPE, stderr=err,
            )  # fmt: skip
        return cls(process, errors)

    async def next(self, within: float = 120.0) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = await asyncio.wait_for(self.process.stdout.readline(), within)
        assert line, f"atlas feed ended: {self.stderr()}"
        return json.loads(line)  # type: ignore[no-any-return]

    async def events(self, count: int) -> list[dict[str, Any]]:
        """The next ``count`` events; a ``ready`` on the way is noted, anything else fails."""
        events: list[dict[str, Any]] = []
        while len(events) < count:
            message = await self.next()
            if message["type"] == "ready":
                self.readies.append(message["seq"])
            else:
                assert message["type"] == "event", message
                events.append(message)
        return events

    async def exited(self, within: float = 120.0) -> int:
        return await asyncio.wait_for(self.process.wait(), within)

    def stderr(self) -> str:
        return self.errors.read_text()

    async def stop(self) -> None:
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGINT)
            try:
                await self.exited(30)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


StartFeed = Callable[..., Awaitable[FeedProcess]]


@pytest.fixture
async def start_feed(api: ServedApi) -> AsyncIterator[StartFeed]:
    """``atlas feed --json`` against ``api`` as the owner, with extra arguments; stopped after."""
    started: list[FeedProcess] = []

    async def start(*args: str) -> FeedProcess:
        started.append(await FeedProcess.start(api, *args))
        return started[-1]

    yield start
    for feed in started:
        await feed.stop()


def _bearer(tokens: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


async def _sign_in(http: httpx.AsyncClient) -> None:
    answer = await http.post("/api/v1/auth/login", json={"email": OWNER, "password": PASSWORD})
    assert answer.status_code == 200, answer.text


async def _invite_and_join(http: httpx.AsyncClient, owner: dict[str, Any], data: Path) -> str:
    """Ada joins the owner's tenant through the emailed link (a file in development)."""
    body = {"email": "ada@example.com", "role": "member"}
    invited = await http.post("/api/v1/tenants/current/invitations", json=body,
                              headers=_bearer(owner))  # fmt: skip
    assert invited.status_code == 201, invited.text
    (mail,) = (data / "outbox").glob("*invitation*")
    token = mail.read_text().split("#token=")[1].split()[0]
    body = {"token": token, "password": PASSWORD, "name": "Ada"}
    accepted = await http.post("/api/v1/auth/invitations/accept", json=body)
    assert accepted.status_code == 200, accepted.text
    return str(accepted.json()["user_id"])


async def test_the_feed_prints_each_event_once_in_order_and_stops_when_the_session_ends(
    api: ServedApi,
    http: httpx.AsyncClient,
    owner: dict[str, Any],
    start_feed: StartFeed,
) -> None:
    feed = await start_feed()
    ready = await feed.next()  # subscribed: what follows is live

    await _sign_in(http)
    ada = await _invite_and_join(http, owner, Path(api.env["ATLAS_DATA_DIR"]))
    promoted = await http.patch(f"/api/v1/tenants/current/members/{ada}", json={"role": "admin"},
                                headers=_bearer(owner))  # fmt: skip
    assert promoted.status_code == 200, promoted.text
    events = await feed.events(3)
    ended = await http.post("/api/v1/auth/logout-all", headers=_bearer(owner))
    code = await feed.exited()

    assert ready["type"] == "ready"
    assert [e["type"] for e in events] == ["event"] * 3
    assert [e["seq"] for e in events] == [ready["seq"] + 1, ready["seq"] + 2, ready["seq"] + 3]
    assert [e["kind"] for e in events] == ["security.alert", "member.changed", "member.changed"]
    assert events[0]["data"]["alert"] == "sign_in"
    assert (events[1]["data"]["change"], events[2]["data"]["role"]) == ("joined", "admin")
    assert ended.status_code == 204
    assert code == 1
    assert "4401" in feed.stderr()
    printed = json.dumps(events) + feed.stderr()
    assert PASSWORD not in printed
    assert "eyJ" not in printed  # no JSON Web Token, not even the start of one


async def test_a_server_restart_under_the_feed_loses_and_repeats_nothing(
    api: ServedApi,
    http: httpx.AsyncClient,
    owner: dict[str, Any],
    fresh_database: FreshDatabase,
    start_feed: StartFeed,
) -> None:
    feed = await start_feed("--after", "0")
    (own_sign_in,) = await feed.events(1)  # replayed after 0

    api.stop()  # gracefully: the socket is closed, the client retries until it is back
    scope = Scope(tenant_id=TenantId(owner["tenant_id"]), user_id=UserId(owner["user_id"]))
    async with PostgresUnitOfWork(fresh_database.sessions, scope) as uow:
        uow.events.announce(FeedEvent.graph_changed(7, {"deal"}, None))
        await uow.commit()  # while no server runs: only the outbox knows
    api.restart()
    await api.ready()
    await _sign_in(http)
    events = await feed.events(2)
    await feed.stop()

    assert (own_sign_in["seq"], own_sign_in["kind"]) == (1, "security.alert")
    # One socket before the restart, one after it (ready when the backoff let it come back).
    assert len(feed.readies) == 2
    assert feed.readies[0] == 1
    assert [(e["seq"], e["kind"]) for e in events] == [(2, "graph.changed"), (3, "security.alert")]
    assert events[0]["data"] == {"revision": 7, "object_types": ["deal"]}
    assert "resuming after #1" in feed.stderr()
    assert "resume with --after 3" in feed.stderr()
