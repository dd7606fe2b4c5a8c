"""``atlas backup``: one consistent snapshot, counted and dumped, sealed into one file.

The census and ``pg_dump`` see the same snapshot: a repeatable-read transaction exports it,
counts and digests every table in it, and ``pg_dump --snapshot`` dumps from it while the
transaction stays open. The plaintext (a length-prefixed JSON manifest, then the custom-format
dump) is streamed from ``pg_dump``'s stdout straight into the sealed file: no unencrypted copy
of the database ever touches the disk. The file appears under its final name only when
complete (written beside it, fsynced, renamed).
"""

from __future__ import annotations

import asyncio
import os
import re
import struct
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import msgspec

from adapters.backup.census import connect_for_census, manifest_in_snapshot
from adapters.backup.sealing import SealedWriter
from adapters.backup.tools import ToolFailed, binaries_for, libpq_env
from adapters.postgres.binaries import Binaries
from adapters.postgres.url import DatabaseUrl
from domain.compliance.backup import Manifest
from domain.shared.secret import Secret

SUFFIX = ".atlasbak"
NAME = re.compile(r"^atlas-(\d{8}T\d{6})Z(?:-\d+)?\.atlasbak$")
MANIFEST_LENGTH = struct.Struct(">I")
_READ = 1 << 20


class BackupRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class BackupReport:
    path: Path
    file_bytes: int
    dump_bytes: int
    seconds: float
    census_seconds: float  # counting and digesting every table, within ``seconds``
    manifest: Manifest


def taken_at(path: Path) -> datetime | None:
    """When a backup was taken, from its name; None for a file that is not one of ours."""
    match = NAME.match(path.name)
    if match is None:
        return None
    return datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)


async def take_backup(
    url: DatabaseUrl,
    master: Secret[bytes],
    directory: Path,
    *,
    binaries: Binaries | None = None,
) -> BackupReport:
    """Back up the database at ``url`` (the ``atlas_backup`` role) into ``directory``."""
    started = time.perf_counter()
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True, mode=0o700)
    conn = await connect_for_census(url)
    try:
        await _refuse_filtered_view(conn)
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            # First statement of the transaction: the exported snapshot is the one it reads.
            snapshot = await conn.fetchval("SELECT pg_export_snapshot()")
            counting = time.perf_counter()
            manifest = await manifest_in_snapshot(conn)
            census_seconds = time.perf_counter() - counting
            # mkstemp: a fresh name, opened O_EXCL, mode 0600 (the file holds the database).
            fd, name = tempfile.mkstemp(prefix=".atlas-", suffix=SUFFIX + ".partial", dir=directory)
            partial = Path(name)
            try:
                dump_bytes = await _write(
                    fd, url, snapshot, manifest, master=master, binaries=binaries
                )
            except BaseException:
                os.unlink(partial)
                raise
    finally:
        await conn.close()
    path = _publish(partial, directory, manifest.taken_at)
    return BackupReport(
        path=path,
        file_bytes=path.stat().st_size,
        dump_bytes=dump_bytes,
        seconds=time.perf_counter() - started,
        census_seconds=census_seconds,
        manifest=manifest,
    )


async def _refuse_filtered_view(conn: asyncpg.Connection) -> None:
    # A role bound by row security would count a filtered subset (and pg_dump would then fail,
    # as it must: R8.2). Say so up front, by name.
    row = await conn.fetchrow(
        "SELECT current_user AS name, rolbypassrls OR rolsuper AS sees_all FROM pg_roles "
        "WHERE rolname = current_user"
    )
    if not row["sees_all"]:
        raise BackupRefused(
            f"{row['name']} is bound by row security and would back up a filtered subset: "
            "backups run as atlas_backup (BYPASSRLS, read-only)"
        )


async def _write(
    fd: int,
    url: DatabaseUrl,
    snapshot: str,
    manifest: Manifest,
    *,
    master: Secret[bytes],
    binaries: Binaries | None,
) -> int:
    with os.fdopen(fd, "wb") as out:
        writer = SealedWriter(out, master)
        encoded = msgspec.json.encode(manifest)
        writer.write(MANIFEST_LENGTH.pack(len(encoded)) + encoded)
        dump_bytes = await _dump(url, snapshot, binaries or binaries_for(url), writer)
        writer.close()
        out.flush()
        os.fsync(out.fileno())
    return dump_bytes


async def _dump(url: DatabaseUrl, snapshot: str, binaries: Binaries, writer: SealedWriter) -> int:
    # Never --enable-row-security: run as a role bound by row security, pg_dump must fail
    # loudly rather than dump the subset it happens to see (security.md R8.2, pitfall 8).
    args = ["--format=custom", f"--snapshot={snapshot}", "--no-password", "--lock-wait-timeout=60s"]
    with tempfile.TemporaryFile() as err:
        process = await asyncio.create_subprocess_exec(
            str(binaries.tool("pg_dump")),
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
            env=libpq_env(url),
        )
        assert process.stdout is not None  # noqa: S101 - asked for above
        total = 0
        while chunk := await process.stdout.read(_READ):
            writer.write(chunk)
            total += len(chunk)
        if await process.wait() != 0:
            err.seek(0)
            message = err.read().decode(errors="replace").strip()
            raise ToolFailed(f"pg_dump failed ({process.returncode}): {message}")
    return total


def _publish(partial: Path, directory: Path, at: datetime) -> Path:
    stem = f"atlas-{at.astimezone(UTC):%Y%m%dT%H%M%S}Z"
    for attempt in range(100):
        path = directory / (stem + (f"-{attempt}" if attempt else "") + SUFFIX)
        try:
            os.link(partial, path)  # fails if the name is taken: never overwrite a backup
        except FileExistsError:
            continue
        partial.unlink()
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return path
    raise FileExistsError(f"no free name for a backup taken at {stem} in {directory}")
