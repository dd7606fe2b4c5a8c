"""Settings: typed, strict about names, and start-up refuses unsafe production configurations."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from entrypoints.settings import SettingsError, load_settings
from tests.factories.settings import GOOD_KEY, VERIFIED_DB, production_environ

PRODUCTION = production_environ()


def test_development_defaults_need_nothing(tmp_path: Path) -> None:
    sut = load_settings({}, cwd=tmp_path)

    assert sut.env == "development"
    assert sut.embedded_database
    assert sut.data_dir == tmp_path / ".atlas"
    assert sut.region == "europe-west4"
    assert (sut.host, sut.port) == ("127.0.0.1", 8443)


def test_a_complete_production_configuration_loads() -> None:
    sut = load_settings(PRODUCTION)

    assert sut.production
    assert sut.app_origins == ("https://app.example.com",)
    assert sut.database_url is not None
    assert sut.database_url.tls_verified


def test_values_are_converted_from_strings() -> None:
    sut = load_settings({"ATLAS_PORT": "9443", "ATLAS_DATABASE_ALLOW_UNVERIFIED_TLS": "true"})

    assert sut.port == 9443
    assert sut.database_allow_unverified_tls is True


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"ATLAS_PROT": "1"}, "ATLAS_PROT"),
        ({"ATLAS_PORT": "https"}, "ATLAS_PORT"),
        ({"ATLAS_PORT": "70000"}, "ATLAS_PORT"),
        ({"ATLAS_ENV": "staging"}, "ATLAS_ENV"),
        ({"ATLAS_REGION": "mars-north1"}, "ATLAS_REGION"),
        ({"ATLAS_APP_ORIGIN": "https://*.example.com"}, "ATLAS_APP_ORIGIN"),
        ({"ATLAS_APP_ORIGIN": "https://app.example.com/path"}, "ATLAS_APP_ORIGIN"),
        ({"ATLAS_DATABASE_URL": "mysql://x@y/z"}, "ATLAS_DATABASE_URL"),
        ({"ATLAS_DATABASE_URL": "postgresql://u:p@db:5432/atlas"}, "ATLAS_DATABASE_URL"),
        ({"ATLAS_MASTER_KEY": base64.b64encode(os.urandom(16)).decode()}, "ATLAS_MASTER_KEY"),
        (
            {
                "ATLAS_MASTER_KEY": base64.b64encode(
                    b"correct horse battery staple, twice!"
                ).decode()
            },
            "ATLAS_MASTER_KEY",
        ),
        ({"ATLAS_MASTER_KEY": "not base64 at all!"}, "ATLAS_MASTER_KEY"),
        # vault: 32 bytes that are not random (zero-filled, a short repeated pattern)
        ({"ATLAS_MASTER_KEY": base64.b64encode(bytes(32)).decode()}, "ATLAS_MASTER_KEY"),
        ({"ATLAS_MASTER_KEY": base64.b64encode(b"\x00\xff\x10" * 11).decode()}, "ATLAS_MASTER_KEY"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_setting(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(environ)


@pytest.mark.parametrize(
    ("missing_or_changed", "named"),
    [
        ({"ATLAS_DATABASE_URL": None}, "ATLAS_DATABASE_URL"),
        ({"ATLAS_MASTER_KEY": None}, "ATLAS_MASTER_KEY"),
        ({"ATLAS_APP_ORIGIN": None}, "ATLAS_APP_ORIGIN"),
        ({"ATLAS_APP_ORIGIN": "http://app.example.com"}, "ATLAS_APP_ORIGIN"),
        (
            {"ATLAS_DATABASE_URL": "postgresql://u:p@db:5432/atlas?sslmode=require"},
            "ATLAS_DATABASE_URL",
        ),
        (
            {"ATLAS_DATABASE_OWNER_URL": "postgresql://o:p@db:5432/atlas?sslmode=prefer"},
            "ATLAS_DATABASE_OWNER_URL",
        ),
        ({"ATLAS_DATABASE_ALLOW_UNVERIFIED_TLS": "true"}, "ATLAS_DATABASE_ALLOW_UNVERIFIED_TLS"),
    ],
)
def test_production_refuses_missing_secrets_and_unverified_databases(
    missing_or_changed: dict[str, str | None], named: str
) -> None:
    environ = {k: v for k, v in (PRODUCTION | missing_or_changed).items() if v is not None}

    with pytest.raises(SettingsError, match=named):
        load_settings(environ)


def test_development_allows_an_unverified_database_only_when_asked() -> None:
    url = "postgresql://u:p@db:5432/atlas"

    with pytest.raises(SettingsError, match="verify-full"):
        load_settings({"ATLAS_DATABASE_URL": url})
    allowed = load_settings({"ATLAS_DATABASE_URL": url, "ATLAS_DATABASE_ALLOW_UNVERIFIED_TLS": "1"})

    assert allowed.database_url is not None
    assert not allowed.database_url.tls_verified


def test_a_unix_socket_database_needs_no_tls() -> None:
    sut = load_settings(PRODUCTION | {"ATLAS_DATABASE_URL": "postgresql://a:p@/atlas?host=/run/pg"})

    assert sut.database_url is not None
    assert sut.database_url.is_unix_socket


def test_the_master_key_can_come_from_a_file(tmp_path: Path) -> None:
    key_file = tmp_path / "master.key"
    key_file.write_text(GOOD_KEY + "\n")

    sut = load_settings(
        PRODUCTION | {"ATLAS_MASTER_KEY": ""} | {"ATLAS_MASTER_KEY_FILE": str(key_file)}
    )

    assert sut.master_key is not None
    assert sut.master_key.reveal() == base64.b64decode(GOOD_KEY)


def test_secrets_never_show_in_the_settings_repr() -> None:
    sut = load_settings(
        PRODUCTION | {"ATLAS_DATABASE_URL": VERIFIED_DB.replace(":pw@", ":hunter2pw@")}
    )

    shown = repr(sut) + str(sut.database_url)

    assert "hunter2pw" not in shown
    assert base64.b64decode(GOOD_KEY).hex() not in shown
    assert GOOD_KEY not in shown
