"""The real stack with workers in processes of their own, against a sandbox served on a port.

For the tests that prove what only real processes can show: a worker killed with SIGKILL, one
stopped with SIGTERM, two workers sharing one queue. The API runs in the test process on the
real adapters (PostgreSQL); workers run ``atlas worker``; the sandbox runs
``atlas sandbox serve`` with its clock frozen, so every sync of a test sees the same data.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from litestar.testing import AsyncTestClient

from tests.e2e.connect_flow import come_back, consent, open_start, start_with
from tests.factories.sandbox_control import control_of

ATLAS = str(Path(sys.executable).parent / "atlas")
CALLBACK = "https://127.0.0.1:8443/api/v1/oauth/callback/{provider}"
Client = AsyncTestClient[Any]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def atlas_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """The environment of an ``atlas`` process: no ATLAS_* setting but the ones given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    # This checkout's code, not the one the shared virtualenv was installed from (a worktree).
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    # Several atlas processes at once: each its own free metrics port, none the default's.
    fixed = {"ATLAS_DATA_DIR": str(data_dir), "ATLAS_METRICS_ADDRESS": "127.0.0.1:0"}
    return env | fixed | settings


@dataclass
class ServedSandbox:
    base: str
    client: httpx.AsyncClient  # presents the control key (read from the sandbox's data directory)

    async def fault(self, provider: str, path: str, fault: dict[str, Any], *, times: int = 1,
                    skip: int = 0) -> str:  # fmt: skip
        rule = {"provider": provider, "path": path, "times": times, "skip": skip, "fault": fault}
        answer = await self.client.post("/_control/faults", json=rule)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["id"])

    async def faults(self) -> list[dict[str, Any]]:
        return (await self.client.get("/_control/faults")).json()  # type: ignore[no-any-return]

    async def expire_tokens(self, provider: str) -> int:
        answer = await self.client.post("/_control/tokens/expire", json={"provider": provider})
        return int(answer.json()["expired_access_tokens"])


@asynccontextmanager
async def served_sandbox(
    data_dir: Path, *, clock_at: datetime | None = None, scale: str = "1"
) -> AsyncIterator[ServedSandbox]:
    """Frozen at ``clock_at`` (default: now, so Atlas's backfill window meets the data)."""
    port = free_port()
    clock_at = clock_at or datetime.now(UTC).replace(microsecond=0)
    at = clock_at.strftime("%Y-%m-%dT%H:%M:%S")
    command = [ATLAS, "sandbox", "serve", "--port", str(port), "--no-rate-limits",
               "--clock-at", at, "--callback", CALLBACK, "--scale", scale]  # fmt: skip
    control = control_of(data_dir)  # made before the sandbox starts, which then reads it
    with _process(command, atlas_env(data_dir)):
        base = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=control) as client:
            await _until_up(client)
            yield ServedSandbox(base=base, client=client)


async def _until_up(client: httpx.AsyncClient, within: float = 60.0) -> None:
    deadline = time.monotonic() + within
    while True:
        with contextlib.suppress(httpx.TransportError):
            if (await client.get("/_control/clock")).status_code == 200:
                return
        assert time.monotonic() < deadline, "the sandbox did not come up"
        await asyncio.sleep(0.1)


@contextlib.contextmanager
def _process(command: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)


class WorkerProcess:
    """``atlas worker`` in a process of its own; what it prints goes to ``log``."""

    def __init__(self, env: dict[str, str], log: Path, *, concurrency: int = 2) -> None:
        command = [ATLAS, "worker", "--concurrency", str(concurrency)]
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=env | {"PYTHONUNBUFFERED": "1"}, stdout=out, stderr=subprocess.STDOUT
            )

    async def started(self, within: float = 120.0) -> None:
        """Until the worker says it takes jobs (its adapters are up, its signals handled)."""
        deadline = time.monotonic() + within
        while b"taking jobs" not in self.log.read_bytes():
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the worker did not start"
            await asyncio.sleep(0.05)

    def signal(self, sig: signal.Signals) -> None:
        self.process.send_signal(sig)

    async def exited(self, within: float = 90.0) -> int:
        deadline = time.monotonic() + within
        while (code := self.process.poll()) is None:
            assert time.monotonic() < deadline, "the worker did not stop"
            await asyncio.sleep(0.05)
        return code

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)


async def connect_at(
    app: Client, sandbox: ServedSandbox, headers: dict[str, str], provider: str, **body: Any
) -> str:
    """The connect flow with the provider's pages on the served sandbox (a real browser's path)."""
    attempt = await start_with(app, headers, provider=provider, **body)
    opened = await open_start(app, attempt)
    assert opened.status_code == 200, opened.text
    decided = await consent(sandbox.client, opened.location)
    assert decided.status_code == 302, decided.text
    outcome = await come_back(app, decided.headers["location"], attempt.cookie)
    assert outcome.outcome == "connected", outcome
    return str(attempt.connection_id)


async def graph_digest(app: Client, headers: dict[str, str], connections: dict[str, str]) -> str:
    """A canonical digest of the tenant's OCEL export: objects and events sorted, each
    connection's id (the scope that qualifies ids) replaced by its provider, so the graphs of
    two tenants that synced the same data compare equal."""
    answer = await app.get("/api/v1/graph/export.ocel.json", headers=headers)
    assert answer.status_code == 200, answer.text
    text = answer.text
    for connection, provider in connections.items():
        text = text.replace(connection, provider)
    export = json.loads(text)
    for part in ("objects", "events"):
        for item in export[part]:
            item["relationships"].sort(key=lambda r: (r["objectId"], r["qualifier"]))
            item["attributes"].sort(key=lambda a: a["name"])
        export[part].sort(key=lambda item: item["id"])
    canonical = json.dumps(export, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(canonical).hexdigest()
