"""The scopes Atlas asks for are exactly what its calls need, each the narrowest the provider's
own specification accepts for the call (Gmail, Calendar and Slack: read from the spec files)."""

from __future__ import annotations

import pytest

from domain.integrations.endpoints import ENDPOINTS, EXTRA_SCOPES, Endpoint, endpoints_of
from domain.integrations.providers import CATALOG
from tests.factories.provider_specs import SpecMethod, google_methods, slack_methods

SPECS = {"gmail": "google/gmail.v1.json", "google_calendar": "google/calendar.v3.json"}
# Google's OAuth server (token, revoke) is not part of the API its discovery documents describe.
CHECKED = [e for e in ENDPOINTS if e.provider == "slack" or (e.provider in SPECS and e.scopes)]
# Usable only by a Gmail add-on running inside Gmail, never by a server-side integration.
ADD_ON_ONLY = "gmail.addons."


def in_spec(endpoint: Endpoint) -> SpecMethod | None:
    if endpoint.provider == "slack":
        return slack_methods().get(endpoint.operation)
    return google_methods(SPECS[endpoint.provider]).get(endpoint.operation)


def methods_by_scope(endpoint: Endpoint) -> dict[str, set[str]]:
    every = (
        slack_methods()
        if endpoint.provider == "slack"
        else google_methods(SPECS[endpoint.provider])
    )
    by_scope: dict[str, set[str]] = {}
    for method in every.values():
        for scope in method.scopes:
            by_scope.setdefault(scope, set()).add(method.operation)
    return by_scope


@pytest.mark.parametrize("provider", sorted(CATALOG))
def test_the_catalog_asks_for_exactly_the_scopes_the_called_endpoints_and_the_grant_need(
    provider: str,
) -> None:
    needed = {scope for e in endpoints_of(provider) for scope in e.scopes}
    extra = {x.scope for x in EXTRA_SCOPES if x.provider == provider}

    assert set(CATALOG[provider].scopes) == needed | extra
    assert len(CATALOG[provider].scopes) == len(set(CATALOG[provider].scopes))
    assert not extra & needed  # an extra scope is one no call needs


def test_slack_reads_public_channels_only_and_calendar_only_events() -> None:
    private = {
        "im:read",
        "im:history",
        "mpim:read",
        "mpim:history",
        "groups:read",
        "groups:history",
    }

    assert not private & set(CATALOG["slack"].scopes)
    assert CATALOG["google_calendar"].scopes == (
        "https://www.googleapis.com/auth/calendar.events.readonly",
    )


@pytest.mark.parametrize("endpoint", CHECKED, ids=lambda e: f"{e.provider}:{e.operation}")
def test_each_endpoint_is_the_specs_method_and_its_scope_one_the_spec_accepts(
    endpoint: Endpoint,
) -> None:
    found = in_spec(endpoint)

    assert found is not None, f"{endpoint.operation} is not in the provider's spec"
    assert found.path == endpoint.path
    if endpoint.provider != "slack":  # Slack's methods take GET or POST (api.slack.com/web)
        assert found.http_method == endpoint.method
    assert set(endpoint.scopes) <= set(found.scopes)
    assert bool(endpoint.scopes) == bool(found.scopes)  # no scope only where none is needed


@pytest.mark.parametrize(
    "endpoint", [e for e in CHECKED if e.scopes], ids=lambda e: f"{e.provider}:{e.operation}"
)
def test_no_scope_the_spec_accepts_for_the_call_is_narrower_than_ours(endpoint: Endpoint) -> None:
    """Narrower: allows a strict subset of the methods ours allows (counted over the spec)."""
    found = in_spec(endpoint)
    assert found is not None
    reach = methods_by_scope(endpoint)
    ours = set.union(*(reach[scope] for scope in endpoint.scopes))

    narrower = [
        scope
        for scope in found.scopes
        if ADD_ON_ONLY not in scope and scope not in endpoint.scopes and reach[scope] < ours
    ]

    assert narrower == []


def test_a_broader_scope_than_needed_fails_the_narrowness_check() -> None:
    broad = Endpoint(
        provider="google_calendar", method="GET", path="/calendar/v3/calendars/{}/events",
        operation="calendar.events.list", scopes=("https://www.googleapis.com/auth/calendar.readonly",),
        reads="", source="",
    )  # fmt: skip
    found = in_spec(broad)
    assert found is not None
    reach = methods_by_scope(broad)
    ours = reach["https://www.googleapis.com/auth/calendar.readonly"]

    assert "https://www.googleapis.com/auth/calendar.events.readonly" in [
        s for s in found.scopes if reach[s] < ours
    ]
