"""Imports and exports over HTTP within their bounds: who may import, how many run at once,
and an export that holds no transaction while it is downloaded. On both tiers: the fakes, and
the real adapters over PostgreSQL (tiers.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient

from application.graph.ports import GraphUnitOfWork
from application.shared.scope import Scope
from domain.identity.model import Role
from tests.e2e.imports_http import wait_for_import
from tests.e2e.tiers import Person, Stack, in_app, resolved, stack, tier
from tests.factories.event_logs import shared_data

pytestmark = pytest.mark.e2e
__all__ = ["stack", "tier"]  # the fixtures

OCEL = (shared_data() / "ocel20_example.jsonocel").read_bytes()
API = "/api/v1/graph"


@dataclass
class Transactions:
    """How many graph units of work are open right now, and how many were ever entered."""

    open: int = 0
    entered: int = 0


class RecordingGraphUnitOfWork:
    """Around the tier's own graph unit of work (fake or PostgreSQL): counts it open while the
    use case is inside it."""

    def __init__(self, inner: GraphUnitOfWork, transactions: Transactions) -> None:
        self._inner, self._transactions = inner, transactions

    async def __aenter__(self) -> GraphUnitOfWork:
        self._transactions.open += 1
        self._transactions.entered += 1
        return await self._inner.__aenter__()

    async def __aexit__(self, *exc_info: Any) -> None:
        self._transactions.open -= 1
        await self._inner.__aexit__(*exc_info)


def recording(
    uow_for: Callable[[Scope], GraphUnitOfWork], transactions: Transactions
) -> Callable[[Scope], RecordingGraphUnitOfWork]:
    return lambda scope: RecordingGraphUnitOfWork(uow_for(scope), transactions)


@dataclass
class Api:
    app: Litestar
    client: AsyncTestClient[Any]
    container: Any
    transactions: Transactions
    people: dict[Role, Person]  # one of each role, of one new tenant

    def headers(self, role: Role) -> dict[str, str]:
        return self.people[role].headers

    async def upload(self, role: Role = Role.ADMIN) -> Any:
        """Posted, and when accepted (202) polled until the worker's side ended it."""
        headers = self.headers(role)
        posted = await self.client.post(f"{API}/imports", content=OCEL, headers=headers)
        if posted.status_code == 202:
            await wait_for_import(self.client, posted.headers["location"], headers)
        return posted


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[Api]:
    owner = await stack.people.sign_up(Role.OWNER)
    people = {role: await stack.people.colleague(owner, role) for role in (Role.ADMIN, Role.MEMBER)}
    transactions, graph_uow = Transactions(), stack.container.adapters.graph_uow
    uow_for = await in_app(stack.client, lambda: resolved(graph_uow()))
    graph_uow.override(providers.Object(recording(uow_for, transactions)))
    try:
        yield Api(stack.app, stack.client, stack.container, transactions,
                  {Role.OWNER: owner, **people})  # fmt: skip
    finally:
        graph_uow.reset_last_overriding()


@pytest.mark.parametrize(("role", "status"), [
    (Role.OWNER, 202), (Role.ADMIN, 202), (Role.MEMBER, 403),
])  # fmt: skip
async def test_only_owners_and_admins_import(api: Api, role: Role, status: int) -> None:
    answer = await api.upload(role)

    assert answer.status_code == status
    if status == 403:
        assert answer.json()["code"] == "auth.role_required"


async def test_an_import_past_the_concurrent_ones_is_refused_until_one_ends(api: Api) -> None:
    slots = api.container.adapters.import_slots()
    running = [slots.take() for _ in range(slots.limit)]  # the imports running right now

    refused = await api.upload()
    for slot in running:
        slot.release()
    accepted = await api.upload()

    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "30"
    assert refused.json()["code"] == "graph.imports_busy"
    assert accepted.status_code == 202
    assert slots.free == slots.limit


async def test_a_slow_upload_holds_no_slot_while_it_is_sent(api: Api) -> None:
    """The attack: 12 bytes of a body, then nothing. The body is spooled to disk first; only a
    complete upload takes a slot, for as long as storing it and queueing the job take."""
    slots = api.container.adapters.import_slots()
    (name, value), = api.headers(Role.ADMIN).items()  # fmt: skip
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": f"{API}/imports", "raw_path": b"", "root_path": "",
        "query_string": b"", "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
        "headers": [(name.lower().encode(), value.encode()),
                    (b"content-length", str(len(OCEL)).encode())],
    }  # fmt: skip
    parts = [OCEL[:12], OCEL[12:]]
    statuses: list[int] = []

    async def attack() -> int:
        first_read, rest = asyncio.Event(), asyncio.Event()

        async def receive() -> dict[str, Any]:
            if len(parts) == 1:
                first_read.set()
                await rest.wait()  # a client that sent 12 bytes and went quiet
            return {"type": "http.request", "body": parts.pop(0), "more_body": bool(parts)}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        sending = asyncio.create_task(api.app(scope, receive, send))  # type: ignore[arg-type]
        await first_read.wait()
        free = slots.free
        rest.set()
        await sending
        return free

    # On the app's own loop: the real tier's database pools belong to it.
    free_while_sent = await in_app(api.client, attack)

    assert free_while_sent == slots.limit
    assert statuses == [202]
    assert slots.free == slots.limit


async def test_an_export_past_the_concurrent_ones_is_refused(api: Api) -> None:
    slots = api.container.adapters.export_spool()._slots
    running = [slots.take() for _ in range(slots.limit)]

    refused = await api.client.get(f"{API}/export.ocel.json", headers=api.headers(Role.ADMIN))
    running[0].release()
    served = await api.client.get(f"{API}/export.ocel.json", headers=api.headers(Role.ADMIN))
    free = slots.free
    for slot in running:  # the module's stack goes on to other tests
        slot.release()

    assert refused.status_code == 503
    assert refused.json()["code"] == "graph.exports_busy"
    assert refused.headers["retry-after"] == "10"
    assert served.status_code == 200
    assert free == 1  # the served export gave its slot back


async def _export(api: Api, *, disconnect: bool = False) -> tuple[bytes, list[int]]:
    """GET export.ocel.json through the app itself; with each chunk of the body sent, how
    many units of work were open at that moment. On the app's loop, where its pools are."""
    return await in_app(api.client, partial(_drive_export, api, disconnect=disconnect))


async def _drive_export(api: Api, *, disconnect: bool) -> tuple[bytes, list[int]]:
    (name, value), = api.headers(Role.ADMIN).items()  # fmt: skip
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": f"{API}/export.ocel.json", "raw_path": b"", "root_path": "",
        "query_string": b"", "headers": [(name.lower().encode(), value.encode())],
        "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
    }  # fmt: skip
    body, open_at_send, sent = b"", [], asyncio.Event()
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive() -> dict[str, Any]:
        if requests:
            return requests.pop()
        if not disconnect:
            await sent.wait()  # as a server does: the client is gone once it has it all
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal body
        if message["type"] == "http.response.body" and message.get("body"):
            open_at_send.append(api.transactions.open)
            body += message["body"]
        if message["type"] == "http.response.body" and not message.get("more_body"):
            sent.set()

    await api.app(scope, receive, send)  # type: ignore[arg-type]
    return body, open_at_send


async def test_an_export_holds_no_transaction_while_it_is_sent(api: Api) -> None:
    await api.upload()

    body, open_at_send = await _export(api)

    assert b'"events":[' in body
    assert api.transactions.entered > 1  # the upload's and the export's went through the count
    assert open_at_send
    assert set(open_at_send) == {0}  # the transaction ended before the first byte went out


async def test_an_export_cut_short_gives_its_slot_back(api: Api) -> None:
    await api.upload()
    slots = api.container.adapters.export_spool()._slots

    await _export(api, disconnect=True)

    assert slots.free == slots.limit
