"""The daily backup of development (and of production where ATLAS_BACKUP_DIR says so): one
sealed file a day, files older than the retention removed, the newest always kept."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from adapters.backup.dump import BackupReport, take_backup, taken_at
from adapters.postgres.url import DatabaseUrl
from application.shared.ports import Clock
from domain.compliance.backup import expired
from domain.shared.secret import Secret

log = logging.getLogger("atlas.backup")


def prune(directory: Path, *, keep_days: int, clock: Clock) -> list[Path]:
    """Remove the backups retention lets go; only files named like ours are considered."""
    ours = {when: path for path in directory.glob("atlas-*.atlasbak")
            if (when := taken_at(path)) is not None}  # fmt: skip
    removed = []
    for when in expired(list(ours), now=clock.now(), keep_days=keep_days):
        ours[when].unlink(missing_ok=True)
        removed.append(ours[when])
    return removed


@dataclass(frozen=True)
class ScheduledBackup:
    url: DatabaseUrl  # atlas_backup's
    master: Secret[bytes]
    directory: Path
    keep_days: int
    clock: Clock

    async def __call__(self) -> BackupReport:
        report = await take_backup(self.url, self.master, self.directory)
        removed = await asyncio.to_thread(
            prune, self.directory, keep_days=self.keep_days, clock=self.clock
        )
        log.info(
            "backup %s written (%d bytes, %d rows) in %.1f s; %d older backup(s) removed",
            report.path.name, report.file_bytes, report.manifest.rows, report.seconds,
            len(removed),
        )  # fmt: skip
        return report
