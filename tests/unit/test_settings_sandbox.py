"""ATLAS_SANDBOX_SCALE: the size of the development sandbox's company, checked at start-up."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.fakes.clock import FrozenClock
from adapters.sandbox.seed.scale import LARGE_SCALE
from entrypoints.cli_sandbox import sandbox
from entrypoints.sandbox import development_config
from entrypoints.settings import SettingsError, load_settings

CLOCK = FrozenClock(datetime(2026, 1, 20, tzinfo=UTC))


def test_the_sandbox_company_is_the_standard_one_by_default(tmp_path: Path) -> None:
    settings = load_settings({}, cwd=tmp_path)

    assert settings.sandbox_scale == 1
    assert development_config(settings, CLOCK).scale == 1


@pytest.mark.parametrize(("value", "scale"), [("3", 3.0), ("2.5", 2.5), ("large", LARGE_SCALE)])
def test_the_setting_sizes_the_development_sandbox(
    tmp_path: Path, value: str, scale: float
) -> None:
    settings = load_settings({"ATLAS_SANDBOX_SCALE": value}, cwd=tmp_path)

    assert settings.sandbox_scale == scale
    assert development_config(settings, CLOCK).scale == scale
    assert development_config(settings, CLOCK, scale=2).scale == 2  # the CLI flag wins


@pytest.mark.parametrize("value", ["0", "-1", "0.5", "huge", "nan", "1e9", ""])
def test_a_bad_scale_stops_start_up_naming_the_setting(tmp_path: Path, value: str) -> None:
    with pytest.raises(SettingsError, match=r"ATLAS_SANDBOX_SCALE: .* from 1 to 100 .* large"):
        load_settings({"ATLAS_SANDBOX_SCALE": value}, cwd=tmp_path)


@pytest.mark.parametrize("value", ["0", "big"])
def test_serve_refuses_a_bad_scale_before_listening(value: str) -> None:
    result = CliRunner().invoke(sandbox, ["serve", "--port", "0", "--scale", value], env={})

    assert result.exit_code == 2
    assert "Invalid value for '--scale'" in result.output
    assert "from 1 to 100" in result.output
