"""``atlas status``: one screen for an operator, or one JSON object for a machine.

It reads, never starts or changes anything: an embedded database that is not running is
reported as unreachable, not started. The counts cross tenants, so it reads as the backup role
(ATLAS_DATABASE_BACKUP_URL), as ``atlas tenants list`` does. Exit status 1 when something needs
someone now (database away or behind, the queue not keeping up, syncs gone stale), with the
reasons printed; warnings are printed and exit 0.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import msgspec

from application.operations.status import (
    DAY,
    BackupFacts,
    Finding,
    SigningKeyFacts,
    StatusFacts,
    Thresholds,
    assess,
    database_fault,
)
from entrypoints.cli_common import load
from entrypoints.settings import Settings
from entrypoints.status_screen import screen

STALE_INTERVALS = 4  # syncs missed in a row before a connection counts as stale


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of the screen.")
@click.option(
    "--queue-age",
    type=click.IntRange(min=1),
    default=900,
    show_default=True,
    help="Seconds a due job may wait before the queue needs attention.",
)
@click.option(
    "--stale-after",
    type=click.IntRange(min=1),
    default=None,
    help="Seconds without a successful sync before an active connection is stale "
    f"(default: {STALE_INTERVALS} x ATLAS_SYNC_INTERVAL_SECONDS).",
)
@click.option(
    "--key-rotate-days",
    type=click.IntRange(min=1),
    default=365,
    show_default=True,
    help="Your rotation period for the vault's active key version (Atlas rotates by count).",
)
def status(as_json: bool, queue_age: int, stale_after: int | None, key_rotate_days: int) -> None:
    """Database, migrations, workers, queue, connections, feed, keys and backups at a glance."""
    settings = load()
    limits = Thresholds(
        queue_age_seconds=float(queue_age),
        stale_sync_seconds=float(stale_after or STALE_INTERVALS * settings.sync.interval_seconds),
        worker_silence_seconds=max(180.0, 3 * settings.sync.heartbeat_seconds),
        key_rotate_days=float(key_rotate_days),
    )
    facts, findings = _observe(settings, limits)
    if as_json:
        click.echo(_as_json(facts, findings))
    else:
        click.echo(screen(facts, findings, limits, now=datetime.now(UTC)))
    sys.exit(1 if any(f.severity == "fail" for f in findings) else 0)


def _observe(settings: Settings, limits: Thresholds) -> tuple[StatusFacts | None, list[Finding]]:
    # Imported when the command runs: the driver and alembic's script directory are not free.
    from adapters.postgres.migrate import head_revision
    from adapters.postgres.operator_status import StatusUnreachable, read
    from entrypoints.database import configured_endpoints

    # Alembic announces its plugins at INFO when its script directory loads: not for this screen.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    backup = configured_endpoints(settings).backup
    if backup is None:
        raise click.ClickException(
            "atlas status reads as the backup role: ATLAS_DATABASE_BACKUP_URL"
        )
    try:
        facts = asyncio.run(
            read(
                backup,
                head=head_revision(),
                stale_after_seconds=limits.stale_sync_seconds,
                heartbeat_seconds=settings.sync.heartbeat_seconds,
            )
        )
    except StatusUnreachable as error:
        where = f"ATLAS_DATABASE_BACKUP_URL is {backup.render()}"  # the password never shows
        if settings.embedded_database:
            where = "the embedded database: atlas db start"
        return None, [database_fault(f"{error} ({where})")]
    facts = msgspec.structs.replace(
        facts, backups=_backups(settings.backup.directory), signing_keys=_signing_keys(settings)
    )
    return facts, assess(facts, limits)


def _backups(directory: Path | None) -> BackupFacts:
    """The newest sealed file in the backup directory. A verified restore records nothing yet,
    so no verified age can be given."""
    from adapters.backup.dump import taken_at

    if directory is None:
        return BackupFacts()
    files = directory.glob("atlas-*.atlasbak") if directory.is_dir() else []
    taken = [when for path in files if (when := taken_at(path)) is not None]
    newest = (datetime.now(UTC) - max(taken)).total_seconds() if taken else None
    return BackupFacts(directory_known=True, newest_taken_age_seconds=newest)


def _signing_keys(settings: Settings) -> SigningKeyFacts | None:
    """The access-token keyring's signing key; read only, never created (development makes
    one on first start)."""
    from adapters.crypto.jwt_keyring import KeyringError, load_keyring
    from entrypoints.identity_wiring import DEVELOPMENT_KEYRING

    configured = settings.identity.jwt_keyring_file
    path = configured or settings.data_dir / "secrets" / DEVELOPMENT_KEYRING
    if configured is None and not path.exists():
        return None
    now = datetime.now(UTC)
    try:
        keyring = load_keyring(path, settings.identity.jwt_algorithm)
        signing = keyring.signing_key(now)
    except KeyringError as error:
        return SigningKeyFacts(problem=str(error))
    verifying = [k for k in keyring.keys if k.retired_at is None and k.kid != signing.kid]
    age_days = (now - signing.activates_at).total_seconds() / DAY
    return SigningKeyFacts(signing_age_days=age_days, verifying=len(verifying))


def _as_json(facts: StatusFacts | None, findings: list[Finding]) -> str:
    body: dict[str, object] = {
        "healthy": not any(f.severity == "fail" for f in findings),
        "reachable": facts is not None,
        "checked_at": datetime.now(UTC),
        **dict.fromkeys(StatusFacts.__struct_fields__),
        **(msgspec.to_builtins(facts) if facts is not None else {}),
        "findings": findings,
    }
    return msgspec.json.encode(body).decode()
