"""``atlas restore``: a backup file into an empty database, checked against its manifest.

Order: authenticate and decrypt the whole file (nothing restored otherwise); refuse a target
that holds any table or function; ``pg_restore`` in one transaction (all or nothing) as an
administrator, ownership kept as dumped; then, with ``verify``, count and digest every table
and compare with the manifest; then re-apply the GDPR suppression list
(``atlas.apply_erasures()``, when the schema has it) and report what that changed. Verification
comes before the erasures on purpose: the manifest describes the database as it was dumped, and
erasures recorded since then may legitimately remove rows it counted.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from adapters.backup.census import census, connect_for_census
from adapters.backup.tools import binaries_for, run_tool
from adapters.backup.unseal import unseal
from adapters.postgres.roles import AUTH_ROLE, OWNER_ROLE
from adapters.postgres.url import DatabaseUrl
from domain.compliance.backup import Difference, Manifest, TableCensus, compare
from domain.shared.secret import Secret

_USER_OBJECTS = r"""
SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%')
     + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%')
"""
_FOREIGN_OWNERS = r"""
SELECT kind || ' ' || name || ' owned by ' || owner FROM (
  SELECT 'relation' AS kind, c.oid::regclass::text AS name, c.relowner::regrole::text AS owner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
  UNION ALL
  SELECT 'function', p.oid::regprocedure::text, p.proowner::regrole::text
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
) o WHERE owner <> ALL($1::text[]) ORDER BY 1
"""
# The GDPR engineer's contract: re-applies the erasure suppression list, returns rows removed.
APPLY_ERASURES = "atlas.apply_erasures()"
MERGE_ERASURES = "atlas.merge_erasures(jsonb)"


class RestoreRefused(RuntimeError):
    pass


@dataclass(frozen=True)
class ErasureOutcome:
    ran: bool
    removed: int = 0
    merged: int = 0  # people on the live list the backup's own list lacked (or knew less of)
    changed: list[tuple[str, int, int]] = field(default_factory=list)  # table, before, after


@dataclass(frozen=True)
class RestoreReport:
    manifest: Manifest
    dump_bytes: int
    seconds: float
    verify_seconds: float  # the census of the restored copy, within ``seconds``
    verified: bool
    differences: list[Difference]
    erasures: ErasureOutcome
    foreign_owners: list[str]

    @property
    def ok(self) -> bool:
        return not self.differences and not self.foreign_owners


@dataclass(frozen=True)
class OpenedBackup:
    """A backup file authenticated end to end: its manifest, and its dump decrypted."""

    manifest: Manifest
    dump: Path
    dump_bytes: int
    workdir: Path


@asynccontextmanager
async def opened_backup(file: Path, master: Secret[bytes]) -> AsyncIterator[OpenedBackup]:
    """Raises ``BackupUnreadable`` before anything is created anywhere; removes the decrypted
    dump on the way out."""
    workdir = Path(tempfile.mkdtemp(prefix="atlas-restore-"))
    try:
        manifest, dump, size = await asyncio.to_thread(unseal, file, master, workdir)
        yield OpenedBackup(manifest=manifest, dump=dump, dump_bytes=size, workdir=workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


async def restore(
    backup: OpenedBackup,
    admin: DatabaseUrl,
    *,
    reader: DatabaseUrl | None = None,
    owner: DatabaseUrl | None = None,
    verify: bool = True,
    live_erasures: str | None = None,
) -> RestoreReport:
    """Restore into the empty database at ``admin`` (a role that may create Atlas's objects and
    read every row); ``reader`` (default ``admin``) does the verifying census and must see
    every row too: ``atlas_backup`` or an administrator. ``owner`` (default ``admin``) runs
    ``apply_erasures()``, which the erasure migration lets ``atlas_owner`` execute, after
    ``merge_erasures(live_erasures)`` when the deployment's newer list is given (a JSON array,
    ``adapters/backup/erasure_list.py``)."""
    started = time.perf_counter()
    await _restore_dump(admin, backup.dump, backup.workdir)
    counting = time.perf_counter()
    found = await _census(reader or admin) if verify else ()
    verify_seconds = time.perf_counter() - counting
    erasures = await _apply_erasures(owner or admin, reader or admin, found, live_erasures)
    return RestoreReport(
        manifest=backup.manifest,
        dump_bytes=backup.dump_bytes,
        seconds=time.perf_counter() - started,
        verify_seconds=verify_seconds,
        verified=verify,
        differences=compare(backup.manifest.tables, found) if verify else [],
        erasures=erasures,
        foreign_owners=await _foreign_owners(admin),
    )


async def _restore_dump(admin: DatabaseUrl, dump: Path, workdir: Path) -> None:
    conn = await asyncpg.connect(**admin.asyncpg_kwargs())
    try:
        if await conn.fetchval(_USER_OBJECTS):
            raise RestoreRefused(
                f"the database {admin.database} is not empty: restore into a fresh one"
            )
        existing = {r[0] for r in await conn.fetch("SELECT nspname FROM pg_namespace")}
    finally:
        await conn.close()
    binaries = binaries_for(admin)
    listing = await run_tool(binaries, "pg_restore", ["--list", str(dump)], admin)
    # Provisioning created the schema (empty, owned by atlas_owner): keep it, restore the rest.
    kept = [line for line in listing.splitlines() if not _creates_existing_schema(line, existing)]
    toc = workdir / "toc.list"
    toc.write_text("\n".join(kept) + "\n")
    args = ["--exit-on-error", "--single-transaction", "--no-password"]
    await run_tool(binaries, "pg_restore", [*args, f"--use-list={toc}", "-d", admin.database,
                                            str(dump)], admin)  # fmt: skip


def _creates_existing_schema(line: str, existing: set[str]) -> bool:
    # "6; 2615 16390 SCHEMA - atlas atlas_owner"
    parts = line.split()
    return len(parts) >= 6 and parts[3:5] == ["SCHEMA", "-"] and parts[5] in existing


async def _census(url: DatabaseUrl) -> tuple[TableCensus, ...]:
    conn = await connect_for_census(url)
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            return await census(conn)
    finally:
        await conn.close()


async def _apply_erasures(
    owner: DatabaseUrl,
    reader: DatabaseUrl,
    before: tuple[TableCensus, ...],
    live_erasures: str | None,
) -> ErasureOutcome:
    conn = await asyncpg.connect(**owner.asyncpg_kwargs())
    try:
        if await conn.fetchval("SELECT to_regprocedure($1)", APPLY_ERASURES) is None:
            return ErasureOutcome(ran=False)
        merged = 0
        if live_erasures is not None:
            if await conn.fetchval("SELECT to_regprocedure($1)", MERGE_ERASURES) is None:
                raise RestoreRefused("this backup's schema cannot take the live erasure list")
            merged = int(
                await conn.fetchval("SELECT atlas.merge_erasures($1::jsonb)", live_erasures) or 0
            )
        removed = int(await conn.fetchval(f"SELECT {APPLY_ERASURES}") or 0)
    finally:
        await conn.close()
    if not removed or not before:
        return ErasureOutcome(ran=True, removed=removed, merged=merged)
    after = {t.table: t.rows for t in await _census(reader)}
    changed = [(t.table, t.rows, after.get(t.table, 0)) for t in before if
               after.get(t.table, 0) != t.rows]  # fmt: skip
    return ErasureOutcome(ran=True, removed=removed, merged=merged, changed=changed)


async def _foreign_owners(admin: DatabaseUrl) -> list[str]:
    """Objects a restore left owned by someone else than Atlas's owner roles (by the restoring
    administrator, typically): the tenancy guarantees are stated against those roles."""
    conn = await asyncpg.connect(**admin.asyncpg_kwargs())
    try:
        rows = await conn.fetch(_FOREIGN_OWNERS, [OWNER_ROLE, AUTH_ROLE])
    finally:
        await conn.close()
    return [r[0] for r in rows]
