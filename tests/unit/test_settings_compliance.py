"""Compliance settings: region URLs, the security.txt fields and the subprocessors file are
checked at start-up, with a message that names the setting."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from entrypoints.settings import SettingsError, load_settings
from entrypoints.trust import database_tls, security_txt
from tests.factories.settings import in_days, production_environ

PRODUCTION = production_environ()


def test_production_reads_region_urls_and_the_security_contact() -> None:
    sut = load_settings(
        {**PRODUCTION, "ATLAS_REGION": "us-central1", "ATLAS_SECURITY_LANGUAGES": "en, nl"}
    )

    assert sut.region == "us-central1"
    assert sut.compliance.residency.url_of("europe-west4") == "https://eu.atlas.example"
    assert sut.compliance.security.contacts == ("mailto:security@example.com",)
    assert sut.compliance.security.languages == ("en", "nl")
    assert sut.compliance.security.canonical == "https://app.example.com/.well-known/security.txt"
    assert sut.compliance.security.policy_url == "https://example.com/security-policy"


def test_development_expires_half_a_year_ahead_without_being_told(tmp_path: Path) -> None:
    sut = load_settings({}, cwd=tmp_path)

    ahead = sut.compliance.security.expires - datetime.now(UTC)
    assert 179 <= ahead.days <= 180
    assert sut.compliance.residency.urls == ()


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"ATLAS_SECURITY_TXT_EXPIRES": in_days(-1)}, "has passed"),
        ({"ATLAS_SECURITY_TXT_EXPIRES": in_days(400)}, "more than a year ahead"),
        ({"ATLAS_SECURITY_TXT_EXPIRES": "2027-01-31T00:00:00"}, "time zone"),
        ({"ATLAS_SECURITY_TXT_EXPIRES": "next spring"}, "ISO 8601"),
        ({"ATLAS_SECURITY_TXT_EXPIRES": ""}, "ATLAS_SECURITY_TXT_EXPIRES is required"),
        ({"ATLAS_SECURITY_CONTACT": ""}, "ATLAS_SECURITY_CONTACT is required"),
        ({"ATLAS_SECURITY_POLICY_URL": ""}, "ATLAS_SECURITY_POLICY_URL is required"),
        ({"ATLAS_SECURITY_CONTACT": "security@example.com"}, "ATLAS_SECURITY_CONTACT"),
        ({"ATLAS_SECURITY_CONTACT": "http://example.com/report"}, "ATLAS_SECURITY_CONTACT"),
        ({"ATLAS_SECURITY_CONTACT": "mailto:nobody"}, "has no address"),
        ({"ATLAS_SECURITY_POLICY_URL": "http://example.com/policy"}, "not an https URL"),
        ({"ATLAS_SECURITY_LANGUAGES": "en, english please"}, "ATLAS_SECURITY_LANGUAGES"),
        ({"ATLAS_REGION_URLS": "europe-west4=https://eu.example"}, "missing us-central1"),
        (
            {"ATLAS_REGION_URLS": "europe-west4=https://eu.example,mars-north1=https://m.example"},
            "mars-north1",
        ),
        (
            {"ATLAS_REGION_URLS": "europe-west4=http://eu.example,us-central1=https://us.example"},
            "not an https URL",
        ),
        (
            {"ATLAS_REGION_URLS": "europe-west4=https://eu.example/app,us-central1=https://us.x"},
            "must be an origin",
        ),
        (
            {"ATLAS_REGION_URLS": "europe-west4=https://a.example,europe-west4=https://b.example"},
            "named twice",
        ),
        ({"ATLAS_REGION_URLS": "https://eu.example"}, "region=https://host"),
    ],
)
def test_production_refuses_a_bad_compliance_setting(change: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings({**PRODUCTION, **change})


def test_development_also_refuses_a_past_expiry_and_a_non_https_region_url() -> None:
    with pytest.raises(SettingsError, match="has passed"):
        load_settings({"ATLAS_SECURITY_TXT_EXPIRES": in_days(-30)})
    with pytest.raises(SettingsError, match="not an https URL"):
        load_settings({"ATLAS_REGION_URLS": "us-central1=http://localhost:9443"})


def test_subprocessors_come_from_the_file_with_the_region_filled_in(tmp_path: Path) -> None:
    listed = [
        {
            "name": "Hosting Co",
            "purpose": "hosting",
            "location": "{region}",
            "data_categories": ["everything"],
        }
    ]
    (tmp_path / "subprocessors.json").write_text(json.dumps(listed))

    sut = load_settings(
        {
            "ATLAS_REGION": "us-central1",
            "ATLAS_SUBPROCESSORS_FILE": str(tmp_path / "subprocessors.json"),
        }
    )

    assert [(s.name, s.location) for s in sut.compliance.subprocessors] == [
        ("Hosting Co", "us-central1")
    ]


def test_the_committed_subprocessors_list_names_hosting_and_email() -> None:
    sut = load_settings({})

    names = " ".join(s.name for s in sut.compliance.subprocessors)
    assert "Google Cloud" in names
    assert "Resend" in names


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ("not json", "is not JSON"),
        ('[{"name": "X", "purpose": "p", "location": "l"}]', "data_categories"),
        (
            '[{"name": "X", "purpose": "p", "location": "l", "data_categories": [], "x": 1}]',
            "unknown field",
        ),
        ('[{"name": "X", "purpose": " ", "location": "l", "data_categories": ["d"]}]', "filled"),
        ('{"name": "X"}', "JSON list"),
    ],
)
def test_a_malformed_subprocessors_file_stops_start_up(
    tmp_path: Path, content: str, named: str
) -> None:
    path = tmp_path / "subprocessors.json"
    path.write_text(content)

    with pytest.raises(SettingsError, match=named):
        load_settings({"ATLAS_SUBPROCESSORS_FILE": str(path)})


def test_a_missing_subprocessors_file_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="ATLAS_SUBPROCESSORS_FILE: cannot read"):
        load_settings({"ATLAS_SUBPROCESSORS_FILE": str(tmp_path / "absent.json")})


def test_the_trust_page_reports_the_production_databases_verified_tls() -> None:
    assert database_tls(load_settings(PRODUCTION)) == "verify-full"
    assert database_tls(load_settings({})) == "embedded (local socket)"


def test_security_txt_leaves_out_policy_when_development_sets_none(tmp_path: Path) -> None:
    sut = security_txt(load_settings({}, cwd=tmp_path))

    assert sut.startswith("Contact: mailto:security@atlas.invalid\nExpires: ")
    assert "Policy:" not in sut
    assert sut.endswith("Canonical: https://127.0.0.1:8443/.well-known/security.txt\n")
