"""Development listens on this machine only, unless ATLAS_EXPOSE_DEVELOPMENT says otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from entrypoints.cli import main
from entrypoints.settings import SettingsError, load_settings
from tests.factories.settings import production_environ

ANY = "0.0.0.0"  # noqa: S104 - the wildcard these tests refuse
EXPOSED = (ANY, "::", "192.168.1.20", "10.0.0.5", "atlas.example.com", "127.0.0.1.nip.io")


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_development_listens_on_any_loopback_address(tmp_path: Path, host: str) -> None:
    settings = load_settings({"ATLAS_HOST": host}, cwd=tmp_path)

    assert settings.host == host
    assert settings.expose_development is False


@pytest.mark.parametrize("host", EXPOSED)
def test_development_refuses_the_network_naming_the_setting_to_set(
    tmp_path: Path, host: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        load_settings({"ATLAS_HOST": host}, cwd=tmp_path)

    assert f"ATLAS_HOST={host} is not a loopback address" in str(refused.value)
    assert "ATLAS_EXPOSE_DEVELOPMENT=true" in str(refused.value)


def test_development_is_the_default_and_refuses_the_wildcard(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ATLAS_EXPOSE_DEVELOPMENT"):
        load_settings({"ATLAS_HOST": ANY, "ATLAS_ENV": "development"}, cwd=tmp_path)


@pytest.mark.parametrize("host", EXPOSED)
def test_development_serves_the_network_when_told_explicitly(tmp_path: Path, host: str) -> None:
    environ = {"ATLAS_HOST": host, "ATLAS_EXPOSE_DEVELOPMENT": "true"}

    settings = load_settings(environ, cwd=tmp_path)

    assert (settings.host, settings.expose_development) == (host, True)


def test_a_false_opt_in_is_no_opt_in(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"ATLAS_HOST=0\.0\.0\.0"):
        load_settings({"ATLAS_HOST": ANY, "ATLAS_EXPOSE_DEVELOPMENT": "false"}, cwd=tmp_path)


def test_production_listens_where_it_is_told() -> None:
    settings = load_settings(production_environ() | {"ATLAS_HOST": ANY})

    assert settings.host == ANY


@pytest.mark.parametrize(
    "command", [["serve", "--host", ANY], ["sandbox", "serve", "--host", ANY, "--port", "1"]]
)
def test_a_host_flag_is_held_to_the_same_rule(tmp_path: Path, command: list[str]) -> None:
    result = CliRunner().invoke(main, command, env={"ATLAS_DATA_DIR": str(tmp_path)})

    assert result.exit_code != 0
    assert "--host=0.0.0.0 is not a loopback address" in result.output
    assert "ATLAS_EXPOSE_DEVELOPMENT=true" in result.output


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, ("127.0.0.1", 9464)),  # the default: this machine only
        ("10.0.0.5:9100", ("10.0.0.5", 9100)),
        ("[::1]:9464", ("::1", 9464)),
        ("127.0.0.1:0", ("127.0.0.1", 0)),  # a free port (tests, several processes)
        ("off", None),
        ("OFF", None),
    ],
)
def test_the_metrics_listener_address(
    tmp_path: Path, given: str | None, expected: tuple[str, int] | None
) -> None:
    environ = {} if given is None else {"ATLAS_METRICS_ADDRESS": given}

    assert load_settings(environ, cwd=tmp_path).metrics_address == expected


@pytest.mark.parametrize("bad", ["9464", "localhost", "host:port", "127.0.0.1:70000", ":9464"])
def test_a_malformed_metrics_address_is_refused_naming_the_setting(
    tmp_path: Path, bad: str
) -> None:
    with pytest.raises(SettingsError, match="ATLAS_METRICS_ADDRESS"):
        load_settings({"ATLAS_METRICS_ADDRESS": bad}, cwd=tmp_path)
