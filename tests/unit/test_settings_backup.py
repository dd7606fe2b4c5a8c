"""Backup settings: development backs up daily under its data dir, production where told."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.settings import SettingsError, load_settings
from tests.factories.settings import production_environ

pytestmark = pytest.mark.unit


def test_development_backs_up_daily_under_the_data_dir_for_a_week(tmp_path: Path) -> None:
    sut = load_settings({}, cwd=tmp_path).backup

    assert sut.directory == tmp_path / ".atlas" / "backups"
    assert sut.retention_days == 7
    assert sut.database_url is None  # the embedded database's comes from the dev secrets


def test_production_backs_up_only_where_it_is_told() -> None:
    told = production_environ() | {
        "ATLAS_BACKUP_DIR": "/var/backups/atlas",
        "ATLAS_BACKUP_RETENTION_DAYS": "35",
        "ATLAS_DATABASE_BACKUP_URL": "postgresql://atlas_backup:pw@db.internal/atlas"
        "?sslmode=verify-full",
    }

    untold = load_settings(production_environ()).backup
    sut = load_settings(told).backup

    assert untold.directory is None
    assert sut.directory == Path("/var/backups/atlas")
    assert sut.retention_days == 35
    assert sut.database_url is not None
    assert sut.database_url.user == "atlas_backup"


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"ATLAS_BACKUP_RETENTION_DAYS": "0"}, "ATLAS_BACKUP_RETENTION_DAYS"),
        ({"ATLAS_DATABASE_BACKUP_URL": "mysql://x"}, "ATLAS_DATABASE_BACKUP_URL"),
        (
            {"ATLAS_DATABASE_BACKUP_URL": "postgresql://atlas_backup:pw@db.internal/atlas"},
            "ATLAS_DATABASE_BACKUP_URL",
        ),  # TCP without verify-full
    ],
)
def test_bad_backup_settings_are_refused_by_name(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(environ)
