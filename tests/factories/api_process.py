"""``atlas serve --no-tls`` in a process of its own, for what only a real server shows: the
feed's CLI against it, a restart under an open socket, several API processes sharing one
database (the feed benchmark)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.factories.sync_fleet import ATLAS, free_port


class ServedApi:
    """Plain HTTP; what it prints goes to ``log``; its port is kept across a restart, and its
    resident memory can be read (``feed_stack.api_process`` serves TLS, for one lifetime)."""

    def __init__(self, env: dict[str, str], log: Path, port: int | None = None) -> None:
        self.env, self.log = env, log
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        command = [ATLAS, "serve", "--no-tls", "--port", str(self.port)]
        with self.log.open("ab") as out:
            return subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    async def ready(self, within: float = 180.0) -> None:
        """Until ``/ready`` answers 200 (the database reachable and migrated)."""
        deadline = time.monotonic() + within
        async with httpx.AsyncClient(base_url=self.base, timeout=5) as client:
            while True:
                assert self.process.poll() is None, self.log.read_text()[-3000:]
                with contextlib.suppress(httpx.TransportError):
                    if (await client.get("/ready")).status_code == 200:
                        return
                assert time.monotonic() < deadline, "the API did not come up"
                await asyncio.sleep(0.1)

    def rss_kib(self) -> int:
        """Resident memory now (``VmRSS``), in KiB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(x for x in status.splitlines() if x.startswith("VmRSS:"))
        return int(line.split()[1])

    def stop(self) -> int:
        """SIGTERM, as a process manager stops it (uvicorn shuts down gracefully)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        return self.process.wait(timeout=30)

    def restart(self) -> None:
        self.stop()
        self.process = self._start()
