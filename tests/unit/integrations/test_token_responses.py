"""Each provider's token responses and failures, read into one shape and one classification."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.connectors.token_responses import classify, parse_grant
from domain.integrations.errors import DeadGrant, ProviderRefused, ProviderTransient
from domain.integrations.providers import CATALOG

NOW = datetime(2026, 1, 20, 12, 0, tzinfo=UTC)
SANDBOX = "http://127.0.0.1:9000"


def test_slack_user_tokens_are_read_from_authed_user() -> None:
    user = {"id": "U1", "scope": "channels:read,users:read", "access_token": "xoxe.xoxp-1-a",
            "refresh_token": "xoxe-1-r", "expires_in": 43200, "token_type": "user"}  # fmt: skip
    body = {"ok": True, "authed_user": user, "team": {"id": "T1", "name": "Northwind"}}

    grant = parse_grant(CATALOG["slack"], body)

    assert grant.access_token.reveal() == "xoxe.xoxp-1-a"
    assert grant.refresh_token is not None
    assert grant.refresh_token.reveal() == "xoxe-1-r"
    assert grant.scopes == ("channels:read", "users:read")
    assert grant.external_account == "T1:U1"


def test_salesforce_gives_an_instance_url_and_no_expiry() -> None:
    spec = CATALOG["salesforce"].at(SANDBOX)
    body = {"access_token": "00D!a", "refresh_token": "5Aep", "scope": "api refresh_token",
            "instance_url": f"{SANDBOX}/salesforce", "id": f"{SANDBOX}/salesforce/id/00DX/005Y",
            "token_type": "Bearer", "issued_at": "1"}  # fmt: skip

    grant = parse_grant(spec, body)

    assert grant.expires_in is None
    assert grant.instance_url == f"{SANDBOX}/salesforce"
    assert grant.external_account == "00DX/005Y"


def test_a_plain_http_instance_url_from_a_real_salesforce_is_not_believed() -> None:
    body = {"access_token": "a", "instance_url": "http://evil.example", "id": "x"}

    assert parse_grant(CATALOG["salesforce"], body).instance_url is None


def test_hubspot_lists_its_scopes_and_names_its_portal() -> None:
    body = {"access_token": "CN", "refresh_token": "na1", "expires_in": 1800, "hub_id": 42,
            "scopes": ["oauth", "crm.objects.deals.read"], "token_type": "bearer"}  # fmt: skip

    grant = parse_grant(CATALOG["hubspot"], body)

    assert (grant.expires_in, grant.external_account) == (1800, "hub:42")
    assert grant.scopes == ("oauth", "crm.objects.deals.read")


@pytest.mark.parametrize(
    "body", [[], {"token_type": "bearer"}, {"access_token": ""}, {"access_token": 7},
             {"access_token": "a", "refresh_token": 5}],
)  # fmt: skip
def test_a_malformed_success_is_refused(body: object) -> None:
    with pytest.raises(ProviderRefused, match="refused"):
        parse_grant(CATALOG["google_calendar"], body)


@pytest.mark.parametrize(
    ("status", "body", "kind", "reason"),
    [
        (400, {"error": "invalid_grant"}, DeadGrant, "invalid_grant"),  # Google, Salesforce
        (403, {"error": "invalid_grant"}, DeadGrant, "invalid_grant"),  # Jira
        (400, {"status": "BAD_REFRESH_TOKEN", "error": "invalid_grant"}, DeadGrant,
         "BAD_REFRESH_TOKEN"),  # HubSpot
        (200, {"ok": False, "error": "invalid_refresh_token"}, DeadGrant, "invalid_refresh_token"),
        (200, {"ok": False, "error": "token_revoked"}, DeadGrant, "token_revoked"),
        (200, {"ok": False, "error": "ratelimited"}, ProviderTransient, "ratelimited"),
        (200, {"ok": False, "error": "bad_client_secret"}, ProviderRefused, "bad_client_secret"),
        (401, {"error": "invalid_client"}, ProviderRefused, "invalid_client"),
        (429, {"error": "rate_limited"}, ProviderTransient, "http_429"),
        (503, None, ProviderTransient, "http_503"),
        (400, "not json", ProviderRefused, "http_400"),
    ],
)  # fmt: skip
def test_failures_are_classified_by_what_retrying_could_change(
    status: int, body: object, kind: type[Exception], reason: str
) -> None:
    failure = classify(status, body, "120", NOW)

    assert isinstance(failure, kind)
    assert failure.reason == reason  # type: ignore[attr-defined]


def test_retry_after_is_carried_in_seconds_or_as_a_date() -> None:
    seconds = classify(429, None, "30", NOW)
    dated = classify(503, None, "Tue, 20 Jan 2026 12:01:00 GMT", NOW)

    assert isinstance(seconds, ProviderTransient)
    assert isinstance(dated, ProviderTransient)
    assert (seconds.retry_after_seconds, dated.retry_after_seconds) == (30.0, 60.0)


def test_a_misconfigured_client_is_told_apart_from_a_dead_grant() -> None:
    ours = classify(401, {"error": "invalid_client"}, None, NOW)

    assert isinstance(ours, ProviderRefused)
    assert ours.misconfigured
    assert classify(200, {"access_token": "a"}, None, NOW) is None
