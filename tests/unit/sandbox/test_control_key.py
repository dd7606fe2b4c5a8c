"""The control key: generated once into the data directory, readable by its owner only."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from adapters.sandbox.control_key import (
    CONTROL_HEADER,
    control_headers,
    control_key_file,
    ensure_control_key,
    presents,
)
from domain.shared.secret import Secret


def test_the_key_is_generated_once_with_mode_0600(tmp_path: Path) -> None:
    first = ensure_control_key(tmp_path)
    again = ensure_control_key(tmp_path)
    path = control_key_file(tmp_path)

    assert path == tmp_path / "sandbox" / "control.key"
    assert first == again
    assert len(first.reveal()) >= 40  # 32 random bytes, base64url
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert sorted(p.name for p in path.parent.iterdir()) == ["control.key"]  # no drafts left


def test_each_data_directory_has_its_own_key(tmp_path: Path) -> None:
    assert ensure_control_key(tmp_path / "a") != ensure_control_key(tmp_path / "b")


def test_processes_starting_together_agree_on_one_key(tmp_path: Path) -> None:
    with ThreadPoolExecutor(8) as pool:
        keys = list(pool.map(lambda _: ensure_control_key(tmp_path).reveal(), range(32)))

    assert len(set(keys)) == 1
    assert control_key_file(tmp_path).read_text().strip() == keys[0]


def test_an_emptied_key_file_is_refused_not_accepted_as_the_empty_key(tmp_path: Path) -> None:
    ensure_control_key(tmp_path)
    control_key_file(tmp_path).write_text("\n")

    with pytest.raises(ValueError, match="is empty"):
        ensure_control_key(tmp_path)


@pytest.mark.parametrize(
    ("given", "admitted"),
    [("k3y", True), ("k3", False), ("k3yy", False), ("", False), (None, False)],
)
def test_only_the_key_itself_is_admitted(given: str | None, admitted: bool) -> None:
    assert presents(given, Secret("k3y")) is admitted


def test_no_key_admits_nobody() -> None:
    assert presents("anything", None) is False


def test_callers_send_the_key_in_the_control_header() -> None:
    assert control_headers(Secret("k3y")) == {"X-Sandbox-Control": "k3y"}
    assert CONTROL_HEADER == "X-Sandbox-Control"  # documented in docs/sandbox.md
