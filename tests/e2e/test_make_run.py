"""`make run` (atlas up): real HTTPS over a real embedded PostgreSQL, data kept between runs."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import ssl
import stat
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.postgres.migrate import head_revision
from adapters.postgres.throwaway import free_port
from adapters.sandbox.control_key import CONTROL_HEADER, control_key_file

pytestmark = pytest.mark.e2e

ATLAS = str(Path(sys.executable).parent / "atlas")


class Running:
    def __init__(self, process: subprocess.Popen[str], base: str, ca: Path) -> None:
        self.process, self.base, self.ca = process, base, ca

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, verify=ssl.create_default_context(cafile=self.ca))


def atlas_env(data_dir: Path, port: int, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATLAS_")}
    # This checkout's code, not the one the shared virtualenv was installed from (a worktree).
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    return env | {"ATLAS_DATA_DIR": str(data_dir), "ATLAS_PORT": str(port), **settings}


def _start(data_dir: Path, port: int, *, log: Path | None = None, **settings: str) -> Running:
    """``log``: where the server writes (a pipe nobody reads would fill up and stall it)."""
    env = atlas_env(data_dir, port, **settings)
    with contextlib.ExitStack() as files:
        out = files.enter_context(log.open("w")) if log is not None else subprocess.PIPE
        process = subprocess.Popen(
            [ATLAS, "up"], env=env, stdout=out, stderr=subprocess.STDOUT, text=True
        )
    running = Running(process, f"https://127.0.0.1:{port}", data_dir / "tls" / "ca.pem")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"atlas up exited early:\n{process.stdout.read() if process.stdout else ''}"
            )
        try:
            with running.client() as client:
                if client.get("/health").status_code == 200:
                    return running
        except (httpx.HTTPError, OSError):
            time.sleep(0.3)
    process.kill()
    pytest.fail("atlas up did not answer /health within 90 s")


def _stop(running: Running, sig: signal.Signals = signal.SIGINT) -> str:
    running.process.send_signal(sig)  # SIGINT: what Ctrl-C sends
    output, _ = running.process.communicate(timeout=60)
    return output or ""


@pytest.fixture(scope="module")
def data_dir() -> Iterator[Path]:
    # Not pytest's tmp_path: concurrent pytest runs on one machine prune each other's
    # /tmp/pytest-of-<user>, and a cluster whose data directory vanishes fails in odd ways.
    root = Path(tempfile.mkdtemp(prefix="atlas-up-"))
    path = root / ".atlas"
    yield path
    subprocess.run(
        [ATLAS, "db", "stop"],
        env={**os.environ, "ATLAS_DATA_DIR": str(path)},
        capture_output=True,
        check=False,
    )
    shutil.rmtree(root, ignore_errors=True)


def _handshake(port: int, version: ssl.TLSVersion, ca: Path) -> str:
    context = ssl.create_default_context(cafile=ca)
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore", DeprecationWarning
        )  # TLSv1_1 is deprecated: that's the point
        context.minimum_version = context.maximum_version = version
    if version < ssl.TLSVersion.TLSv1_2:
        context.set_ciphers("DEFAULT:@SECLEVEL=0")  # really offer it, or the client refuses first
    with (
        socket.create_connection(("127.0.0.1", port)) as raw,
        context.wrap_socket(raw, server_hostname="127.0.0.1") as tls,
    ):
        return str(tls.version())


def _control_server_accepting_tls_1_1(data_dir: Path) -> int:
    """A server that does accept TLS 1.1: proves our client really offers it (no false pass)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1_1
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    context.load_cert_chain(data_dir / "tls" / "server.pem", data_dir / "tls" / "server-key.pem")
    listener = socket.create_server(("127.0.0.1", 0))

    def accept_once() -> None:
        conn, _ = listener.accept()
        with contextlib.suppress(OSError), context.wrap_socket(conn, server_side=True):
            pass
        listener.close()

    threading.Thread(target=accept_once, daemon=True).start()
    return int(listener.getsockname()[1])


def test_atlas_up_serves_https_and_stops_cleanly_on_ctrl_c(data_dir: Path) -> None:
    port = free_port()
    running = _start(data_dir, port)
    try:
        key = control_key_file(data_dir)
        with running.client() as client:
            ready = client.get("/ready")
            stranger = client.get("/sandbox/_control/stats")  # anyone who can reach the port
            keyed = client.get(
                "/sandbox/_control/stats", headers={CONTROL_HEADER: key.read_text().strip()}
            )
        handshakes = {
            v.name: _handshake(port, v, running.ca)
            for v in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3)
        }
        control = _handshake(
            _control_server_accepting_tls_1_1(data_dir), ssl.TLSVersion.TLSv1_1, running.ca
        )
        # asyncio closes a failed handshake without flushing OpenSSL's alert: EOF, not an alert.
        with pytest.raises(ssl.SSLError, match=r"alert protocol version|UNEXPECTED_EOF"):
            _handshake(port, ssl.TLSVersion.TLSv1_1, running.ca)
    finally:
        output = _stop(running)

    assert ready.status_code == 200, output
    assert ready.json()["database"] == f"schema at {head_revision()}"
    assert handshakes == {"TLSv1_2": "TLSv1.2", "TLSv1_3": "TLSv1.3"}
    assert control == "TLSv1.1"  # the same client does speak 1.1 to a server that allows it
    assert running.process.returncode == 0, output
    assert "Stopping embedded PostgreSQL" in output
    assert '"GET /ready HTTP/1.1" 200' in output  # the access line, formatted by uvicorn
    assert "Logging error" not in output
    assert not (data_dir / "postgres" / "data" / "postmaster.pid").exists()  # the database stopped
    secrets = list((data_dir / "secrets").iterdir())
    assert secrets
    assert {stat.S_IMODE(p.stat().st_mode) for p in secrets} == {0o600}
    assert stat.S_IMODE((data_dir / "tls" / "server-key.pem").stat().st_mode) == 0o600
    assert (stranger.status_code, stranger.json()["error"]) == (401, "control_key_required")
    assert keyed.status_code == 200
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_atlas_up_on_the_network_needs_the_explicit_opt_in(tmp_path: Path) -> None:
    env = atlas_env(tmp_path / ".atlas", free_port(), ATLAS_HOST="0.0.0.0")  # noqa: S104

    try:
        refused = subprocess.run([ATLAS, "up"], env=env, capture_output=True, text=True, timeout=60)
    finally:  # had it started after all, its database must not outlive the test
        if (tmp_path / ".atlas" / "postgres").exists():
            subprocess.run([ATLAS, "db", "stop"], env=env, capture_output=True, check=False)

    assert refused.returncode != 0
    assert "ATLAS_HOST=0.0.0.0 is not a loopback address" in refused.stderr
    assert "ATLAS_EXPOSE_DEVELOPMENT=true" in refused.stderr
    assert not (tmp_path / ".atlas").exists()  # refused before anything was made


def test_a_process_manager_stop_also_stops_the_database(data_dir: Path) -> None:
    running = _start(data_dir, free_port())

    output = _stop(running, signal.SIGTERM)  # what systemd, docker stop or kill send

    assert "Stopping embedded PostgreSQL" in output
    assert running.process.returncode == 128 + signal.SIGTERM, output
    assert not (data_dir / "postgres" / "data" / "postmaster.pid").exists()


def test_a_second_run_reuses_the_data(data_dir: Path) -> None:
    env = {**os.environ, "ATLAS_DATA_DIR": str(data_dir)}
    subprocess.run([ATLAS, "db", "start"], env=env, check=True, capture_output=True)
    psql = [ATLAS, "db", "psql", "--role", "owner"]
    marker = "INSERT INTO atlas.alembic_version_marker VALUES ('kept between runs')"
    subprocess.run(
        psql,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        input=(
            "CREATE TABLE IF NOT EXISTS atlas.alembic_version_marker (note text);" + marker + ";"
        ),
    )
    subprocess.run([ATLAS, "db", "stop"], env=env, check=True, capture_output=True)

    running = _start(data_dir, free_port())
    try:
        kept = subprocess.run(
            [*psql, "-At", "-c", "SELECT note FROM atlas.alembic_version_marker"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        subprocess.run(
            [*psql, "-c", "DROP TABLE atlas.alembic_version_marker"],
            env=env,
            check=True,
            capture_output=True,
        )
    finally:
        _stop(running)

    assert kept.strip() == "kept between runs"
