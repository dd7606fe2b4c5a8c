"""Where the vault's master secret comes from: settings in production, a local file otherwise."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest

from entrypoints.settings import SettingsError, load_settings
from entrypoints.vault import master_secret

pytestmark = pytest.mark.unit


def test_development_creates_a_private_master_secret_once_and_reuses_it(tmp_path: Path) -> None:
    settings = load_settings({}, cwd=tmp_path)

    first, second = master_secret(settings), master_secret(settings)
    key_file = settings.data_dir / "secrets" / "master.key"

    assert first == second
    assert len(first.reveal()) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert base64.b64decode(key_file.read_text()) == first.reveal()


def test_a_configured_secret_is_used_and_no_file_is_written(tmp_path: Path) -> None:
    key = os.urandom(32)
    settings = load_settings({"ATLAS_MASTER_KEY": base64.b64encode(key).decode()}, cwd=tmp_path)

    assert master_secret(settings).reveal() == key
    assert not (settings.data_dir / "secrets").exists()


def test_a_weakened_development_secret_file_is_refused(tmp_path: Path) -> None:
    settings = load_settings({}, cwd=tmp_path)
    master_secret(settings)
    (settings.data_dir / "secrets" / "master.key").write_text(base64.b64encode(bytes(32)).decode())

    with pytest.raises(SettingsError, match=r"master\.key"):
        master_secret(settings)
