"""A plain-text ``pg_dump`` of the test database, to search for what must never be stored."""

from __future__ import annotations

import os
import subprocess

from adapters.postgres.cluster import Binaries
from adapters.postgres.throwaway import ThrowawayDatabase


def database_dump(database: ThrowawayDatabase, name: str = "atlas") -> str:
    url = database.superuser
    result = subprocess.run(
        [
            str(Binaries.embedded().tool("pg_dump")),
            "-h",
            str(url.socket_dir),
            "-p",
            str(url.port),
            "-U",
            url.user,
            "-d",
            name,
        ],
        env={**os.environ, "PGPASSWORD": url.password or ""},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout
