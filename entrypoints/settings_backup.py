"""Backup settings: the backup role's URL, where scheduled backups go, how long they are kept."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import msgspec

from adapters.postgres.url import DatabaseUrl
from entrypoints.settings_database import database_url
from entrypoints.settings_keys import SettingsError

DEFAULT_RETENTION_DAYS = 7


class BackupVariables(Protocol):
    database_backup_url: str | None
    backup_dir: str | None
    backup_retention_days: int


class BackupSettings(msgspec.Struct, frozen=True, kw_only=True):
    # atlas_backup's URL for a configured database; the embedded one's comes from dev secrets.
    database_url: DatabaseUrl | None = None
    # Where `atlas backup` writes by default and the daily job writes; None: no daily job.
    directory: Path | None = None
    retention_days: int = DEFAULT_RETENTION_DAYS


def backup_settings(
    raw: BackupVariables, *, base: Path, data_dir: Path, production: bool
) -> BackupSettings:
    if not 1 <= raw.backup_retention_days <= 3650:
        raise SettingsError("ATLAS_BACKUP_RETENTION_DAYS: from 1 to 3650")
    if raw.backup_dir:
        directory: Path | None = (base / raw.backup_dir).resolve()
    else:
        # Development backs up daily under its data dir; production only where it is told to
        # (its backups belong on other storage than the database's, with their own retention).
        directory = None if production else data_dir / "backups"
    return BackupSettings(
        database_url=database_url(raw.database_backup_url, "ATLAS_DATABASE_BACKUP_URL"),
        directory=directory,
        retention_days=raw.backup_retention_days,
    )
