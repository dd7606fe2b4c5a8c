"""Atlas served by uvicorn: the access log shows the OAuth paths, never their codes or tickets."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import httpx
import pytest
import uvicorn

from entrypoints.log_redaction import protect_uvicorn
from entrypoints.sandbox import listening_socket
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
