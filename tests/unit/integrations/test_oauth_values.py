"""PKCE, the catalog and the retry policy: the values every connection relies on."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from domain.integrations.pkce import challenge, new_verifier
from domain.integrations.providers import CATALOG
from domain.integrations.retry import (
    MAX_ATTEMPTS,
    cooldown_seconds,
    next_attempt,
    retry_after_seconds,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def test_pkce_matches_rfc_7636_appendix_b() -> None:
    assert challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == (
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    )


def test_new_verifiers_are_long_unique_and_valid() -> None:
    verifiers = {new_verifier() for _ in range(200)}

    assert len(verifiers) == 200
    assert {len(v) for v in verifiers} == {86}
    assert all(len(challenge(v)) == 43 for v in verifiers)


@pytest.mark.parametrize("bad", ["short", "x" * 129, "a" * 42 + "/"])
def test_malformed_verifiers_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="43-128"):
        challenge(bad)


def test_every_provider_asks_only_for_read_scopes() -> None:
    writes = [
        (key, scope)
        for key, spec in CATALOG.items()
        for scope in spec.scopes
        if any(word in scope for word in ("write", "admin", "full", "modify", "send", "chat:"))
    ]

    assert writes == []
    assert set(CATALOG) == {
        "salesforce",
        "hubspot",
        "gmail",
        "google_calendar",
        "slack",
        "zendesk",
        "jira",
    }


def test_each_provider_asks_for_exactly_these_scopes() -> None:
    # A snapshot (security.md R7.6): widening a grant must be a visible change to this test.
    assert {key: spec.scopes for key, spec in CATALOG.items()} == {
        "salesforce": ("api", "refresh_token"),
        "hubspot": (
            "crm.objects.deals.read",
            "crm.objects.companies.read",
            "crm.objects.contacts.read",
            "oauth",
        ),
        "gmail": ("https://www.googleapis.com/auth/gmail.metadata",),
        "google_calendar": ("https://www.googleapis.com/auth/calendar.events.readonly",),
        "slack": ("channels:read", "channels:history", "users:read", "users:read.email"),
        "zendesk": ("read",),
        "jira": ("read:jira-user", "read:jira-work", "offline_access"),
    }


def test_re_rooting_moves_every_endpoint_under_the_platform_and_keeps_paths() -> None:
    sut = CATALOG["gmail"].at("https://127.0.0.1:8443/sandbox/")

    assert sut.authorize_url == "https://127.0.0.1:8443/sandbox/google/o/oauth2/v2/auth"
    assert sut.token_url == "https://127.0.0.1:8443/sandbox/google/token"
    assert sut.revoke_url == "https://127.0.0.1:8443/sandbox/google/revoke"
    assert sut.api_base == "https://127.0.0.1:8443/sandbox/google/gmail/v1"
    assert sut.scopes == CATALOG["gmail"].scopes
    assert sut.issuer == "https://accounts.google.com"  # an identifier: never re-rooted


def test_gmail_and_calendar_are_separate_grants_of_one_google_platform() -> None:
    gmail, calendar = CATALOG["gmail"], CATALOG["google_calendar"]

    assert gmail.platform == calendar.platform == "google"
    assert set(gmail.scopes).isdisjoint(calendar.scopes)


def test_zendesk_lives_on_the_customers_subdomain() -> None:
    spec = CATALOG["zendesk"]

    assert spec.needs_subdomain
    assert spec.for_subdomain("acme").token_url == "https://acme.zendesk.com/oauth/tokens"
    assert not spec.at("http://127.0.0.1:9000").needs_subdomain  # the sandbox has one host
    for bad in ("", "Acme", "acme.evil.com", "-acme", "a" * 64, "acme/x"):
        with pytest.raises(ValueError, match="subdomain"):
            spec.for_subdomain(bad)


def test_a_cooldown_is_a_real_pause_and_honours_retry_after() -> None:
    rng = random.Random(3)
    first = [cooldown_seconds(1, None, rng) for _ in range(100)]
    later = [cooldown_seconds(9, None, rng) for _ in range(100)]

    assert min(first) >= 1.0
    assert 30.0 <= min(later) <= max(later) <= 60.0
    assert 120.0 <= cooldown_seconds(1, 120.0, rng) <= 132.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", 120.0),
        (format_datetime(NOW + timedelta(seconds=90), usegmt=True), 90.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),  # in the past → 0
        (None, None),
        ("soon", None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(
    header: str | None, expected: float | None
) -> None:
    assert retry_after_seconds(header, NOW) == expected


def test_backoff_honours_retry_after_with_at_most_ten_percent_jitter() -> None:
    waits = [next_attempt(1, 20.0, random.Random(i)).wait_seconds for i in range(200)]

    assert min(waits) >= 20.0
    assert max(waits) <= 22.0


def test_backoff_without_retry_after_is_capped_full_jitter_and_gives_up() -> None:
    rng = random.Random(1)
    waits = [next_attempt(attempt, None, rng).wait_seconds for attempt in range(1, MAX_ATTEMPTS)]

    assert all(0 <= w <= min(60, 2 ** (n - 1)) for n, w in enumerate(waits, start=1))
    assert next_attempt(MAX_ATTEMPTS, None, rng).retry is False


def test_a_long_retry_after_releases_the_job() -> None:
    decision = next_attempt(1, 3600.0, random.Random(0))

    assert decision.retry
    assert decision.reschedule
