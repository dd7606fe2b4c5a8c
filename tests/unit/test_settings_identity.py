"""Identity settings: start-up refuses weak token, session and password configurations (R9.1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from entrypoints.settings import SettingsError, load_settings
from entrypoints.settings_identity import MINIMUM_VERSIONS, check_library_versions
from tests.unit.test_settings import PRODUCTION


def test_the_defaults_are_the_safe_ones() -> None:
    sut = load_settings({}).identity

    assert sut.jwt_algorithm == "EdDSA"
    assert sut.sessions.access_token_lifetime == timedelta(minutes=10)
    assert sut.jwt_leeway == timedelta(seconds=5)
    assert sut.sessions.reuse_window == timedelta(seconds=10)
    assert (sut.password_scheme, sut.bcrypt_cost) == ("bcrypt", 12)
    assert sut.trusted_proxies == ()


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"ATLAS_JWT_ALGORITHM": "HS256"}, "ATLAS_JWT_ALGORITHM"),
        ({"ATLAS_JWT_ALGORITHM": "RS256"}, "ATLAS_JWT_ALGORITHM"),
        ({"ATLAS_JWT_ALGORITHM": "none"}, "ATLAS_JWT_ALGORITHM"),
        ({"ATLAS_ACCESS_TOKEN_SECONDS": "901"}, "ATLAS_ACCESS_TOKEN_SECONDS"),
        ({"ATLAS_JWT_LEEWAY_SECONDS": "6"}, "ATLAS_JWT_LEEWAY_SECONDS"),
        ({"ATLAS_BCRYPT_COST": "11"}, "ATLAS_BCRYPT_COST"),
        ({"ATLAS_PASSWORD_SCHEME": "md5"}, "ATLAS_PASSWORD_SCHEME"),
        ({"ATLAS_REFRESH_REUSE_WINDOW_SECONDS": "31"}, "ATLAS_REFRESH_REUSE_WINDOW_SECONDS"),
        ({"ATLAS_REFRESH_IDLE_SECONDS": "99999999"}, "ATLAS_REFRESH_IDLE_SECONDS"),
        ({"ATLAS_TRUSTED_PROXIES": "10.0.0.0/8,not-an-ip"}, "ATLAS_TRUSTED_PROXIES"),
        ({"ATLAS_TRUSTED_PROXIES": "0.0.0.0/0"}, "ATLAS_TRUSTED_PROXIES"),
        ({"ATLAS_TRUSTED_PROXIES": "10.0.0.1, ::/0"}, "ATLAS_TRUSTED_PROXIES"),
        ({"ATLAS_EMAIL_FROM": "nobody"}, "ATLAS_EMAIL_FROM"),
    ],
)
def test_an_unsafe_identity_setting_stops_start_up(environ: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(environ)


@pytest.mark.parametrize("missing", ["ATLAS_JWT_KEYRING_FILE", "ATLAS_RESEND_API_KEY"])
def test_production_needs_a_keyring_and_an_email_key(missing: str) -> None:
    with pytest.raises(SettingsError, match=missing):
        load_settings({k: v for k, v in PRODUCTION.items() if k != missing})


def test_trusted_proxies_are_parsed_as_networks() -> None:
    sut = load_settings({"ATLAS_TRUSTED_PROXIES": "10.0.0.0/8, 2001:db8::1"}).identity

    assert [str(n) for n in sut.trusted_proxies] == ["10.0.0.0/8", "2001:db8::1/128"]


def test_a_library_older_than_its_minimum_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "entrypoints.settings_identity.metadata.version",
        lambda package: "2.11.0" if package == "pyjwt" else "99.0",
    )

    with pytest.raises(ValueError, match=r"pyjwt 2\.11\.0 is too old"):
        check_library_versions()
    assert MINIMUM_VERSIONS["pyjwt"] == (2, 12)
