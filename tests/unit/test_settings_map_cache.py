"""ATLAS_MAP_CACHE_BYTES: the process-map cache's byte budget per process (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest

from entrypoints.settings import SettingsError, load_settings


def test_the_map_cache_budget_defaults_to_512_mib(tmp_path: Path) -> None:
    assert load_settings({}, cwd=tmp_path).map_cache_bytes == 512 * 1024 * 1024


def test_the_map_cache_budget_is_read_in_bytes(tmp_path: Path) -> None:
    settings = load_settings({"ATLAS_MAP_CACHE_BYTES": "1048576"}, cwd=tmp_path)

    assert settings.map_cache_bytes == 1 << 20


@pytest.mark.parametrize("value", ["-1", "68719476737", "lots"])
def test_a_budget_out_of_range_or_not_a_number_names_the_setting(
    tmp_path: Path, value: str
) -> None:
    with pytest.raises(SettingsError, match="ATLAS_MAP_CACHE_BYTES"):
        load_settings({"ATLAS_MAP_CACHE_BYTES": value}, cwd=tmp_path)
