"""JSON logs as operators read them: every line one object carrying the request id the response
returned, with the route template, the tenant (an opaque id), the status and the time to answer;
requests no route matched included, and nothing a request sends can start a line of its own."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from entrypoints.log_redaction import configure_logging, protect_uvicorn, uvicorn_to_root
from entrypoints.sandbox import listening_socket
from entrypoints.server import server_config
from tests.e2e.connect_flow import person
from tests.e2e.harness import bearer, build, harness_settings

pytestmark = pytest.mark.e2e
FORGED = "/x%0d%0a%7B%22level%22:%22ERROR%22,%22message%22:%22FORGED%22%7D%00"


async def test_every_line_is_json_with_the_requests_id_route_tenant_status_and_duration(
    tmp_path: Path,
) -> None:
    app, container = build(harness_settings(tmp_path))
    member = person()
    headers = bearer(container, member)
    sock, stream = listening_socket("127.0.0.1", 0), io.StringIO()
    configure_logging("INFO", "json", stream)
    config = server_config(app, host="127.0.0.1", port=0, tls=None, log_level="INFO")
    server = uvicorn.Server(config)
    uvicorn_to_root()
    protect_uvicorn()
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        async with httpx.AsyncClient(base_url=base) as client:
            answers = [
                await client.get("/health"),
                await client.get("/api/v1/connections", headers=headers),
                await client.get(FORGED, headers={"User-Agent": "x\x7f\x1b[31m"}),
            ]
    finally:
        server.should_exit = True
        await serving
        configure_logging("WARNING", "text", io.StringIO())

    entries: list[dict[str, Any]] = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [e for e in entries if e["logger"] == "uvicorn.access"]
    by_id = {e["request_id"]: e for e in access}
    health, listed, forged = (by_id[a.headers["x-request-id"]] for a in answers)
    assert len(access) == 3
    assert (health["route"], health["status"]) == ("/health", 200)
    assert (listed["route"], listed["tenant_id"]) == ("/api/v1/connections", str(member.tenant_id))
    assert "tenant_id" not in health  # nobody signed in
    assert (forged["route"], forged["status"]) == ("unmatched", 404)  # its id is no longer "-"
    assert all(isinstance(e["duration_ms"], float | int) for e in access)
    assert [e for e in entries if e.get("message") == "FORGED"] == []
