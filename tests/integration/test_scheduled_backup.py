"""The daily backup job: a new sealed file as atlas_backup, and retention applied after it."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.backup.retention import ScheduledBackup
from adapters.fakes.clock import FrozenClock
from domain.shared.secret import Secret
from tests.conftest import FreshDatabase

pytestmark = pytest.mark.integration


async def test_the_daily_backup_writes_a_file_and_lets_go_of_the_expired_ones(
    fresh_database: FreshDatabase, tmp_path: Path
) -> None:
    directory = tmp_path / "backups"
    directory.mkdir()
    names = ["atlas-20200101T024100Z.atlasbak", "atlas-20200105T024100Z.atlasbak"]
    for name in names:
        (directory / name).write_bytes(b"old")
    (directory / "notes.txt").write_text("not a backup: left alone")
    clock = FrozenClock(datetime.now(UTC))
    job = ScheduledBackup(
        url=fresh_database.backup, master=Secret(os.urandom(32)), directory=directory,
        keep_days=7, clock=clock,
    )  # fmt: skip

    report = await job()

    assert sorted(p.name for p in directory.iterdir()) == sorted([report.path.name, "notes.txt"])
    assert report.manifest.schema_revision is not None
    assert oct(report.path.stat().st_mode & 0o777) == oct(0o600)
