"""``atlas backup`` and ``atlas restore``: sealed backups of the database, verified restores."""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from pathlib import Path

import click
import msgspec

from adapters.backup.dump import BackupRefused, take_backup
from adapters.backup.erasure_list import ErasureListUnavailable, read_erasure_list
from adapters.backup.restore import OpenedBackup, RestoreRefused, RestoreReport, opened_backup
from adapters.backup.restore import restore as restore_backup
from adapters.backup.sealing import BackupUnreadable
from adapters.backup.tools import ToolFailed
from adapters.postgres.binaries import BinariesNotFound
from adapters.postgres.roles import DATABASE
from adapters.postgres.tenancy_checks import run_checks
from adapters.postgres.tenancy_result import CheckResult
from adapters.postgres.url import DatabaseUrl, DatabaseUrlError
from domain.shared.secret import Secret
from entrypoints.cli_common import database_running, load
from entrypoints.database import (
    DatabaseEndpoints,
    EmbeddedDatabase,
    configured_endpoints,
    embedded_database,
)
from entrypoints.development import DevelopmentSecrets, ensure_development_secrets
from entrypoints.settings import Settings
from entrypoints.vault import master_secret

_FAILURES = (
    BackupRefused,
    RestoreRefused,
    ToolFailed,
    BinariesNotFound,
    BackupUnreadable,
    ErasureListUnavailable,
)


@click.command()
@click.option(
    "--to",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Directory for the file (default: ATLAS_BACKUP_DIR, or <data dir>/backups).",
)
def backup(directory: Path | None) -> None:
    """Back up the database into one encrypted file (pg_dump, as the atlas_backup role)."""
    settings = load()
    target = directory or settings.backup.directory
    if target is None:
        raise click.ClickException("give --to DIR or set ATLAS_BACKUP_DIR")
    with database_running(settings):
        url = configured_endpoints(settings).backup
        if url is None:
            raise click.ClickException(
                "ATLAS_DATABASE_BACKUP_URL (the atlas_backup role) is needed"
            )
        try:
            report = asyncio.run(take_backup(url, master_secret(settings), target.resolve()))
        except _FAILURES as error:
            raise click.ClickException(str(error)) from None
    manifest = report.manifest
    click.echo(f"Backup written: {report.path}")
    tables, revision = len(manifest.tables), manifest.schema_revision
    click.echo(f"  {tables} tables, {manifest.rows:,} rows, schema {revision}")
    click.echo(
        f"  {_mb(report.file_bytes)} (dump {_mb(report.dump_bytes)}) in {report.seconds:.1f} s"
    )


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--into",
    "target",
    required=True,
    help="A new data directory (a fresh PostgreSQL cluster is made there) or the URL of an "
    "empty database (a role that may create Atlas's objects and read every row).",
)
@click.option("--verify/--no-verify", default=True, help="Compare with the manifest.")
@click.option("--app-url", default=None, help="With a URL target: run the tenancy checks as it.")
@click.option(
    "--erasures-from",
    "erasures_from",
    default="live",
    show_default=True,
    help="Where the newest erasure list is read: 'live' (this deployment's database, as the "
    "backup role), the URL of a database holding it, or 'none' (only the backup's own list: "
    "people erased after the backup was taken come back).",
)
def restore(file: Path, target: str, verify: bool, app_url: str | None, erasures_from: str) -> None:
    """Restore a backup file into a fresh database and check it; non-zero exit on any fault."""
    settings = load()
    master = master_secret(settings)
    into: DatabaseUrl | Path = _url(target, "--into") if "://" in target else Path(target).resolve()
    if isinstance(into, Path) and (into / "postgres").exists():
        raise click.ClickException(f"{into} already holds a database: give a new directory")
    app = _url(app_url, "--app-url") if app_url else None
    try:
        ok = asyncio.run(
            _restore(settings, master, file, into, verify=verify, app=app, erasures=erasures_from)
        )
    except _FAILURES as error:
        raise click.ClickException(str(error)) from None
    sys.exit(0 if ok else 1)


async def _restore(
    settings: Settings,
    master: Secret[bytes],
    file: Path,
    into: DatabaseUrl | Path,
    *,
    verify: bool,
    app: DatabaseUrl | None,
    erasures: str,
) -> bool:
    # Authenticated end to end before anything is created: a bad file leaves no cluster behind.
    async with opened_backup(file, master) as opened:
        manifest = opened.manifest
        click.echo(
            f"Backup of {manifest.database} taken {manifest.taken_at:%Y-%m-%d %H:%M:%S} UTC, "
            f"schema {manifest.schema_revision}: authenticated, dump {_mb(opened.dump_bytes)}"
        )
        live_erasures = await _live_erasures(settings, erasures)
        if isinstance(into, DatabaseUrl):
            report = await restore_backup(opened, into, verify=verify, live_erasures=live_erasures)
            checks = await run_checks(app) if app else None
        else:
            report, checks = await _into_directory(
                settings, master, opened, into, verify=verify, live_erasures=live_erasures
            )
    return _print_report(report, checks)


async def _into_directory(
    settings: Settings,
    master: Secret[bytes],
    opened: OpenedBackup,
    root: Path,
    *,
    verify: bool,
    live_erasures: str | None,
) -> tuple[RestoreReport, list[CheckResult]]:
    secrets = await asyncio.to_thread(_secrets_for, settings, master, root)
    embedded = EmbeddedDatabase(msgspec.structs.replace(settings, data_dir=root), secrets)
    click.echo(f"Creating a PostgreSQL cluster in {embedded.cluster.root} ...")
    await embedded.start()
    try:
        endpoints: DatabaseEndpoints = embedded.endpoints
        assert endpoints.superuser is not None  # noqa: S101 - always set for the embedded one
        admin = endpoints.superuser.with_database(DATABASE)
        report = await restore_backup(
            opened, admin, reader=endpoints.backup, owner=endpoints.owner, verify=verify,
            live_erasures=live_erasures,
        )  # fmt: skip
        checks = await run_checks(endpoints.app)
    finally:
        embedded.stop()
    click.echo(f"Serve it with: ATLAS_DATA_DIR={root} atlas up")
    return report, checks


async def _live_erasures(settings: Settings, source: str) -> str | None:
    """The deployment's erasure list (JSON), read before anything is restored; ``None`` for
    'none'. A live list that cannot be read stops the restore: carrying on would bring back
    people erased since the backup, so the operator must say so with --erasures-from none."""
    if source == "none":
        click.echo("Erasures: only the backup's own list (--erasures-from none)")
        return None
    if source != "live":
        return await _read_list(_url(source, "--erasures-from"))
    if not settings.embedded_database:
        live = configured_endpoints(settings).backup
        if live is None:
            raise ErasureListUnavailable("ATLAS_DATABASE_BACKUP_URL is needed to read it")
        return await _read_list(live)
    embedded = embedded_database(settings)
    if not embedded.cluster.root.exists():
        raise ErasureListUnavailable(
            f"no live database under {settings.data_dir} to read the erasure list from: give "
            "--erasures-from URL, or --erasures-from none to apply only the backup's own list"
        )
    was_running = embedded.cluster.is_running()
    await embedded.start()
    try:
        assert embedded.endpoints.backup is not None  # noqa: S101 - always set when embedded
        return await _read_list(embedded.endpoints.backup)
    finally:
        if not was_running:
            embedded.stop()


async def _read_list(url: DatabaseUrl) -> str:
    listed, people = await read_erasure_list(url)
    click.echo(f"Erasures: the live list names {people:,} erased {_people(people)}")
    return listed


def _people(n: int) -> str:
    return "person" if n == 1 else "people"


def _secrets_for(settings: Settings, master: Secret[bytes], root: Path) -> DevelopmentSecrets:
    """The new data dir's development secrets: fresh role passwords, and this master secret
    when it is a development one (so the restored vault opens). A configured master secret is
    never written to disk: run the restored copy with the same ATLAS_MASTER_KEY(_FILE)."""
    secrets_dir = root / "secrets"
    secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    if settings.master_key is None and not (secrets_dir / "master.key").exists():
        fd = os.open(secrets_dir / "master.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(base64.b64encode(master.reveal()).decode() + "\n")
    return ensure_development_secrets(root)


def _url(raw: str, option: str) -> DatabaseUrl:
    try:
        return DatabaseUrl.parse(raw)
    except DatabaseUrlError as error:
        raise click.ClickException(f"{option}: {error}") from None


def _print_report(report: RestoreReport, checks: list[CheckResult] | None) -> bool:
    click.echo(f"Restored in {report.seconds:.1f} s.")
    if report.verified:
        _print_differences(report)
    else:
        click.echo("Verify: skipped (--no-verify)")
    erasures = report.erasures
    if not erasures.ran:
        click.echo("Erasures: atlas.apply_erasures() is not in this schema; nothing re-applied")
    else:
        if erasures.merged:
            click.echo(f"Erasures: {erasures.merged:,} added from the live list")
        click.echo(f"Erasures: atlas.apply_erasures() re-applied, {erasures.removed:,} rows")
        for table, before, after in erasures.changed:
            click.echo(f"  {table}: {before:,} -> {after:,} rows")
    for offender in report.foreign_owners:
        click.echo(click.style("FAIL", fg="red") + f"  ownership: {offender}")
    failed = _print_checks(checks)
    return report.ok and not failed


def _print_differences(report: RestoreReport) -> None:
    tables = report.manifest.tables
    if not report.differences:
        click.echo(
            click.style("PASS", fg="green")
            + f"  {len(tables)} tables, {report.manifest.rows:,} rows: counts and checksums "
            "equal the manifest"
        )
        return
    click.echo(click.style("FAIL", fg="red") + "  the restore differs from the manifest:")
    click.echo(f"  {'table':<40} {'problem':<10} {'expected':>12} {'restored':>12}")
    for d in report.differences:
        expected = "-" if d.expected_rows is None else f"{d.expected_rows:,}"
        restored = "-" if d.actual_rows is None else f"{d.actual_rows:,}"
        click.echo(f"  {d.table:<40} {d.problem:<10} {expected:>12} {restored:>12}")


def _print_checks(checks: list[CheckResult] | None) -> int:
    if checks is None:
        click.echo("Tenancy checks: skipped (give --app-url to run them as atlas_app)")
        return 0
    failed = [c for c in checks if not c.passed]
    for check in failed:
        click.echo(click.style("FAIL", fg="red") + f"  {check.name}: {check.detail}")
    click.echo(f"Tenancy checks: {len(checks) - len(failed)} passed, {len(failed)} failed")
    return len(failed)


def _mb(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"
