"""Atlas served by uvicorn: the access log shows the OAuth paths, never their codes or tickets."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from pathlib import Path

import httpx
import pytest
import uvicorn

from entrypoints.log_redaction import configure_logging, protect_uvicorn, uvicorn_to_root
from entrypoints.sandbox import listening_socket
from entrypoints.server import server_config
from tests.e2e.harness import build, harness_settings
from tests.factories.vault import marker

pytestmark = pytest.mark.e2e


async def test_the_access_log_never_records_an_oauth_code_state_or_ticket(
    tmp_path: Path,
) -> None:
    app, _ = build(harness_settings(tmp_path))
    sock = listening_socket("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="info"))
    protect_uvicorn()
    lines: list[str] = []
    capture = logging.Handler()
    capture.emit = lambda record: lines.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger("uvicorn.access").addHandler(capture)
    code, state, ticket = marker("code"), marker("state"), marker("ticket")
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        async with httpx.AsyncClient(base_url=base) as client:
            await client.get(f"/api/v1/oauth/callback/google?code={code}&state={state}")
            await client.get(f"/api/v1/oauth/start/{ticket}")
    finally:
        server.should_exit = True
        await serving
        logging.getLogger("uvicorn.access").removeHandler(capture)

    logged = "\n".join(lines)
    assert "/api/v1/oauth/callback/google" in logged
    assert "/api/v1/oauth/start/[redacted]" in logged
    assert [m for m in (code, state, ticket) if m in logged] == []


@pytest.mark.parametrize("log_format", ["json", "text"])
async def test_atlas_served_as_in_production_writes_one_clean_line_per_record(
    tmp_path: Path, log_format: str
) -> None:
    app, _ = build(harness_settings(tmp_path))
    sock = listening_socket("127.0.0.1", 0)
    stream = io.StringIO()
    configure_logging("INFO", log_format, stream)  # type: ignore[arg-type]
    config = server_config(app, host="127.0.0.1", port=0, tls=None, log_level="INFO")
    server = uvicorn.Server(config)
    uvicorn_to_root()
    protect_uvicorn()
    code, ticket = marker("code"), marker("ticket")
    forged = "/x%0d%0a2026-12-05%2010:00:00,000%20ERROR%20atlas.auth%20[-]:%20FORGED"
    serving = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        base = f"http://127.0.0.1:{sock.getsockname()[1]}"
        async with httpx.AsyncClient(base_url=base) as client:
            ids = [
                (await client.get(path)).headers["x-request-id"]
                for path in (
                    "/health",
                    f"/api/v1/oauth/callback/google?code={code}&state=s",
                    f"/api/v1/oauth/start/{ticket}",
                    "/api/v1/me",
                )
            ]
            refused = await client.get(forged)
    finally:
        server.should_exit = True
        await serving
        configure_logging("WARNING", "text", io.StringIO())

    lines = stream.getvalue().splitlines()
    access = [line for line in lines if "uvicorn.access" in line]
    assert refused.status_code == 404
    assert len(access) == 5  # one access line per request, none lost to a formatting error
    assert [m for m in (code, ticket) if m in stream.getvalue()] == []
    assert [line for line in lines if "FORGED" in line and "%20FORGED" not in line] == []
    if log_format == "json":
        entries = [json.loads(line) for line in lines]  # every line is one JSON object
        access_ids = [e["request_id"] for e in entries if e["logger"] == "uvicorn.access"]
        assert access_ids[:4] == ids
    else:
        assert all(line[:4].isdigit() for line in lines)  # every line is a record's own
