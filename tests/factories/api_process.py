"""``atlas serve`` in a process of its own, for what only a real server shows: the feed's CLI
against it, a restart under an open socket, several API processes sharing one database (the
feed's real-stack tests and its benchmark), WSS with the development certificate."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import ssl
import subprocess
import time
from pathlib import Path

import httpx

from adapters.crypto.dev_tls import ensure_development_certificate
from tests.factories.sync_fleet import ATLAS, free_port


class ServedApi:
    """Plain HTTP, or TLS with the development certificate of ``ATLAS_DATA_DIR`` (``tls``);
    what it prints goes to ``log``; its port is kept across a restart, and its resident memory
    can be read."""

    def __init__(
        self, env: dict[str, str], log: Path, port: int | None = None, *, tls: bool = False
    ) -> None:
        self.env, self.log, self.tls = env, log, tls
        self.port = port or free_port()
        self.ssl: ssl.SSLContext | None = None
        if tls:
            material = ensure_development_certificate(Path(env["ATLAS_DATA_DIR"]) / "tls")
            self.ssl = ssl.create_default_context(cafile=str(material.ca_cert))
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.feed_url = f"{'wss' if tls else 'ws'}://127.0.0.1:{self.port}/api/v1/feed"
        self.process = self._start()

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.base, verify=self.ssl or False, timeout=30)

    def _start(self) -> subprocess.Popen[bytes]:
        command = [ATLAS, "serve", "--tls" if self.tls else "--no-tls", "--port", str(self.port)]
        with self.log.open("ab") as out:
            return subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT)

    async def ready(self, within: float = 180.0) -> None:
        """Until ``/ready`` answers 200 (the database reachable and migrated)."""
        deadline = time.monotonic() + within
        async with self.client() as client:
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
