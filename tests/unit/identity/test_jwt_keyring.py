"""The signing keyring on disk: private (0600), one algorithm, rotated and retired by the CLI."""

from __future__ import annotations

import json
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.crypto.jwt_keyring import (
    KeyringError,
    KeyringFile,
    load_keyring,
    new_keyring,
    save_keyring,
)
from entrypoints.cli import main

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def test_a_saved_keyring_is_private_and_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "jwt.json"
    keyring = new_keyring("ES256", NOW)

    save_keyring(path, keyring)
    loaded = load_keyring(path, "ES256")

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [k.kid for k in loaded.keys] == [k.kid for k in keyring.keys]
    assert loaded.public_jwks()[0]["kty"] == "EC"


def test_a_keyring_of_another_algorithm_refuses_to_load(tmp_path: Path) -> None:
    path = tmp_path / "jwt.json"
    save_keyring(path, new_keyring("EdDSA", NOW))

    with pytest.raises(KeyringError, match="configured is ES256"):
        load_keyring(path, "ES256")


def test_a_missing_or_broken_keyring_refuses_to_load(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"version": 1, "algorithm": "EdDSA", "keys": [{"kid": 1}]}))

    with pytest.raises(KeyringError):
        load_keyring(tmp_path / "missing.json", "EdDSA")
    with pytest.raises(KeyringError):
        load_keyring(broken, "EdDSA")


def test_a_staged_key_verifies_at_once_but_signs_only_after_its_delay() -> None:
    keyring, staged = new_keyring("EdDSA", NOW).with_new_key(NOW, timedelta(minutes=2))

    assert keyring.verification_key(staged.kid) is not None
    assert keyring.signing_key(NOW + timedelta(minutes=1)).kid != staged.kid
    assert keyring.signing_key(NOW + timedelta(minutes=2)).kid == staged.kid


def test_the_signing_key_cannot_be_retired_and_a_retired_key_keeps_no_secret() -> None:
    keyring, newer = new_keyring("EdDSA", NOW).with_new_key(NOW, timedelta(0))
    old = keyring.keys[0].kid

    with pytest.raises(KeyringError, match="signing key"):
        keyring.retire(newer.kid, NOW)
    retired = keyring.retire(old, NOW)

    assert retired.verification_key(old) is None
    assert retired.keys[0].private_key is None
    assert [k["kid"] for k in retired.public_jwks()] == [newer.kid]


def test_every_process_picks_up_a_rotation_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "jwt.json"
    save_keyring(path, new_keyring("EdDSA", NOW))
    sut = KeyringFile(path, "EdDSA", check_every=0)
    rotated, key = load_keyring(path, "EdDSA").with_new_key(NOW, timedelta(0))

    save_keyring(path, rotated)
    os.utime(path, (path.stat().st_atime, path.stat().st_mtime + 5))

    assert sut.current().verification_key(key.kid) is not None


def test_the_cli_rotates_and_retires_the_development_keyring(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"ATLAS_DATA_DIR": str(tmp_path / ".atlas")}

    rotated = runner.invoke(main, ["keys", "rotate-jwt", "--delay", "0"], env=env)
    path = tmp_path / ".atlas" / "secrets" / "jwt-keyring.json"
    first, second = (k["kid"] for k in json.loads(path.read_text())["keys"])
    refused = runner.invoke(main, ["keys", "retire-jwt", second], env=env)
    retired = runner.invoke(main, ["keys", "retire-jwt", first], env=env)
    listed = runner.invoke(main, ["keys", "list-jwt"], env=env)

    assert rotated.exit_code == 0, rotated.output
    assert refused.exit_code != 0
    assert "signing key" in refused.output
    assert retired.exit_code == 0, retired.output
    assert f"{first}  retired" in listed.output
    assert f"{second}  signing" in listed.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
