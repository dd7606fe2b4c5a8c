"""Slow clients let go of what they hold (attack findings, item 3): a body arriving too slowly
is a 408, a response nobody reads is cut off, and either way the slots are free again."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from litestar.testing import AsyncTestClient

from adapters.importers.slots import Slots
from domain.graph.errors import ExportsBusy
from entrypoints.http import slow_clients
from entrypoints.http.di import resolve
from entrypoints.sandbox import listening_socket
from tests.e2e.harness import build, harness_settings
from tests.e2e.identity_http import bearer, sign_up

pytestmark = pytest.mark.e2e


@pytest.fixture(autouse=True)
def _impatient(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slow_clients, "BODY_IDLE_SECONDS", 0.5)
    monkeypatch.setattr(slow_clients, "SEND_SECONDS", 0.5)


async def test_a_body_sent_a_few_bytes_then_nothing_is_answered_408(tmp_path: Path) -> None:
    app, _ = build(harness_settings(tmp_path))
    sock = listening_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:  # noqa: ASYNC110 - uvicorn offers no event to wait on
            await asyncio.sleep(0.01)
        reader, writer = await asyncio.open_connection("127.0.0.1", sock.getsockname()[1])
        writer.write(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n"
            b'{"email":"a'  # 12 bytes of a megabyte, then nothing
        )
        await writer.drain()
        async with asyncio.timeout(30):  # a guard against hanging, far above the bound
            answer = await reader.read(4096)
        writer.close()
    finally:
        server.should_exit = True
        await serving

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408")
    assert json.loads(body)["code"] == "request.too_slow"


async def test_an_export_nobody_reads_is_cut_off_and_frees_its_slot(tmp_path: Path) -> None:
    app, container = build(harness_settings(tmp_path))
    async with AsyncTestClient(app) as client:
        owner = await sign_up(client)
    spool = await resolve(container.adapters.export_spool)
    slots: Slots = spool._slots  # the slots are what this test watches
    sent: list[str] = []

    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if requested:
            await asyncio.Event().wait()  # the client stays connected, silent
        requested = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def stalled_send(message: dict[str, Any]) -> None:
        sent.append(message["type"])
        if message["type"] == "http.response.body":
            await asyncio.Event().wait()  # the client never takes a byte

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/api/v1/graph/export.ocel.json", "raw_path": b"",
        "query_string": b"", "root_path": "", "client": ("127.0.0.1", 1), "server": None,
        "headers": [(b"authorization", bearer(owner)["Authorization"].encode())],
    }  # fmt: skip
    async with asyncio.timeout(30):  # returns at the send bound, not when the socket closes
        await app(scope, receive, stalled_send)  # type: ignore[arg-type]

    assert sent[:2] == ["http.response.start", "http.response.body"]
    assert slots.free == slots.limit


def test_one_tenant_holds_at_most_its_share_of_the_slots() -> None:
    slots = Slots.for_exports()
    mine = [slots.take("tenant-a"), slots.take("tenant-a")]

    with pytest.raises(ExportsBusy):
        slots.take("tenant-a")
    theirs = slots.take("tenant-b")
    mine[0].release()
    again = slots.take("tenant-a")

    assert (slots.share, slots.free) == (2, 1)
    for slot in (mine[1], theirs, again):
        slot.release()
    assert slots.free == slots.limit
