"""A plain-text ``pg_dump`` of the test database, to search for what must never be stored; and
a data-only dump and restore, as a backup taken earlier and brought back."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from adapters.postgres.cluster import Binaries
from adapters.postgres.throwaway import ThrowawayDatabase


def _tool(database: ThrowawayDatabase, tool: str, name: str, *args: str) -> str:
    url = database.superuser
    result = subprocess.run(
        [
            str(Binaries.embedded().tool(tool)),
            "-h",
            str(url.socket_dir),
            "-p",
            str(url.port),
            "-U",
            url.user,
            "-d",
            name,
            *args,
        ],
        env={**os.environ, "PGPASSWORD": url.password or ""},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def database_dump(database: ThrowawayDatabase, name: str = "atlas") -> str:
    return _tool(database, "pg_dump", name)


def data_backup(
    database: ThrowawayDatabase, name: str, into: Path, *, excluded: Sequence[str] = ()
) -> Path:
    """The rows of every table (custom format), without the tables ``excluded``."""
    skip = [f"--exclude-table-data={table}" for table in excluded]
    _tool(database, "pg_dump", name, "--data-only", "--format=custom", f"--file={into}", *skip)
    return into


def restore_data(database: ThrowawayDatabase, name: str, backup: Path) -> None:
    """Load ``backup``'s rows into a migrated database (as a superuser, triggers held off)."""
    _tool(database, "pg_restore", name, "--data-only", "--disable-triggers", str(backup))
