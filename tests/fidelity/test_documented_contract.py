"""The sandbox answers Salesforce's, HubSpot's, Zendesk's and Jira's calls in the shapes those
providers document.

None of the four publishes a machine-readable spec (reference/specs/README.md): their
documented shapes are recorded as JSON Schema in ``documented/<provider>.py``, each with its
source. Every registry endpoint of theirs is asked what its connector asks (``documented/
calls.py``), and every answer, error answers included (an expired token, a record that is not
there, the rate limit or Salesforce's daily cap), must match; envelopes are closed, so a
field the documentation does not have fails as surely as one missing or of the wrong type.
"""

from __future__ import annotations

import copy
from typing import Any

import httpx
import msgspec
import pytest
from jsonschema import Draft202012Validator

from adapters.connectors.zendesk import normalise as zendesk_normalise
from adapters.connectors.zendesk import records as zendesk_records
from domain.integrations.endpoints import ENDPOINTS
from tests.factories.sandbox import running_sandbox
from tests.fidelity.documented import hubspot, jira, salesforce, zendesk
from tests.fidelity.documented.calls import DRIVERS, SF_DELETED
from tests.fidelity.documented.refusals import REFUSALS
from tests.fidelity.documented.wrong import FAILING, FAILING_ERRORS, PASSING, Edit

PROVIDERS = {"salesforce": salesforce, "hubspot": hubspot, "zendesk": zendesk, "jira": jira}
SCHEMAS = {key: schema for m in PROVIDERS.values() for key, schema in m.SCHEMAS.items()}
COVERED: frozenset[tuple[str, str, str]] = frozenset(SCHEMAS)
# Endpoints a connector calls that the registry does not list yet (reported, not claimed).
UNREGISTERED = {k: s for m in (salesforce, hubspot) for k, s in m.UNREGISTERED.items()}


def violations(schema: dict[str, Any], body: Any) -> list[str]:
    found = Draft202012Validator(schema).iter_errors(body)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"[:300] for e in found]


def test_every_non_oauth_endpoint_of_the_four_providers_has_a_documented_shape() -> None:
    theirs = {
        (e.provider, e.method, e.path)
        for e in ENDPOINTS
        if e.provider in PROVIDERS and not (e.scopes == () and "OAuth server" in e.source)
    }
    assert theirs - COVERED == set()
    assert {(e.provider, e.method, e.path) for e in ENDPOINTS} >= COVERED


def test_the_schemas_are_valid_and_every_object_says_whether_it_is_open() -> None:
    def objects(node: Any) -> list[dict[str, Any]]:
        if isinstance(node, list):
            return [o for item in node for o in objects(item)]
        if not isinstance(node, dict):
            return []
        here = [node] if node.get("type") == "object" else []
        return here + [o for value in node.values() for o in objects(value)]

    for module in PROVIDERS.values():
        extra = getattr(module, "UNREGISTERED", {})
        for schema in [*module.SCHEMAS.values(), *module.ERRORS.values(), *extra.values()]:
            Draft202012Validator.check_schema(schema)
            assert all("additionalProperties" in o for o in objects(schema))


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
async def test_the_sandbox_answers_in_the_documented_shapes(provider: str) -> None:
    async with running_sandbox(zendesk_export_per_minute=None) as h:
        answers = await DRIVERS[provider](h)

    asked = {key for key in COVERED | set(UNREGISTERED) if key[0] == provider}
    assert set(answers) == asked
    headers = PROVIDERS[provider].HEADERS
    for key, responses in answers.items():
        for response in responses:
            assert response.status_code == 200, (key, response.text[:300])
            assert violations((SCHEMAS | UNREGISTERED)[key], response.json()) == [], key
            assert [h for h in headers.get(key, ()) if h not in response.headers] == [], key


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
async def test_later_and_last_pages_and_deletions_were_checked_too(provider: str) -> None:
    """The paging fields are checked both ways (a page that points on, and the last one), and
    the delete logs with something in them."""
    async with running_sandbox(zendesk_export_per_minute=None) as h:
        answers = await DRIVERS[provider](h)
    pages = {
        "salesforce": ("/services/data/{}/query", "done"),
        "hubspot": ("/crm/v3/objects/deals/search", "paging"),
        "zendesk": ("/api/v2/incremental/tickets/cursor.json", "end_of_stream"),
        "jira": ("/ex/jira/{}/rest/api/3/issue/{}/changelog", "isLast"),
    }
    path, field = pages[provider]
    if provider == "salesforce":  # the deal deleted before the run is in the delete log
        assert any(r.json()["deletedRecords"] for r in answers[SF_DELETED])
    if provider == "hubspot":  # and in the archived list
        listed = answers[provider, "GET", "/crm/v3/objects/deals"]
        assert any(r.json()["results"] for r in listed if "archived=true" in str(r.url))
    method = "POST" if provider == "hubspot" else "GET"
    seen = [r.json() for r in answers[provider, method, path]]
    if provider == "salesforce":
        seen += [r.json() for r in answers[provider, "GET", path + "/{}"]]
    ends = {(field in page) if provider == "hubspot" else page[field] for page in seen}

    assert ends == {True, False}


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
async def test_the_sandbox_refuses_in_the_documented_error_shapes(provider: str) -> None:
    async with running_sandbox() as h:
        refused = await REFUSALS[provider](h)

    documented = PROVIDERS[provider].ERRORS
    assert {status: r.status_code for status, r in refused.items()} == {s: s for s in documented}
    headers = PROVIDERS[provider].HEADERS
    for status, response in refused.items():
        assert violations(documented[status], response.json()) == [], (status, response.text)
        assert [h for h in headers.get(status, ()) if h not in response.headers] == [], status


def edited(responses: list[httpx.Response], edit: Edit) -> Any:
    """The first of ``responses`` the edit applies to, edited (a copy)."""
    for response in responses:
        body = copy.deepcopy(response.json())
        try:
            edit(body)
        except LookupError:
            continue
        assert body != response.json()  # the edit changed something
        return body
    raise AssertionError("no answer had the field to edit")


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
async def test_a_wrong_answer_fails_and_an_extra_field_in_an_open_bag_does_not(
    provider: str,
) -> None:
    async with running_sandbox(zendesk_export_per_minute=None) as h:
        answers = await DRIVERS[provider](h)
    async with running_sandbox() as h:
        refused = await REFUSALS[provider](h)

    for key, edit in FAILING[provider]:
        assert violations(SCHEMAS[key], edited(answers[key], edit)) != [], key
    for key, edit in PASSING[provider]:
        assert violations(SCHEMAS[key], edited(answers[key], edit)) == [], key
    documented = PROVIDERS[provider].ERRORS
    for status, edit in FAILING_ERRORS[provider]:
        assert violations(documented[status], edited([refused[status]], edit)) != [], status


def test_the_zendesk_connector_reads_child_events_as_the_export_guide_shows_them() -> None:
    """The export guide names a changed field by its own key (no ``field_name``) and a tags
    change carries lists: such a page is documented-valid, and the connector reads its
    status change and hand-over from it."""
    child = [
        {"id": 11, "via": "Mail", "via_reference_id": None, "status": "open",
         "event_type": "Change", "previous_value": "new"},
        {"id": 12, "via": "Mail", "via_reference_id": None, "assignee_id": "380000020",
         "event_type": "Change", "previous_value": "380000018"},
        {"id": 13, "via": "Mail", "via_reference_id": None, "tags": ["vip"],
         "added_tags": ["vip"], "removed_tags": [], "event_type": "Change",
         "previous_value": []},
        {"id": 14, "via": "Mail", "via_reference_id": None, "comment_present": True,
         "comment_public": True, "event_type": "Comment"},
    ]  # fmt: skip
    event = {"id": 9, "ticket_id": 1001, "timestamp": 1767225600, "created_at":
             "2026-01-01T00:00:00Z", "updater_id": 380000001, "via": "Mail",
             "event_type": "Audit", "child_events": child}  # fmt: skip
    page = {"ticket_events": [event], "count": 1, "end_of_stream": True,
            "end_time": 1767225600, "next_page": None}  # fmt: skip
    assert violations(zendesk.EVENT_EXPORT, page) == []

    decoded = msgspec.json.decode(msgspec.json.encode(page), type=zendesk_records.EventPage)
    source = zendesk_normalise.Source(scope="c", account="acme", web_base="https://acme.test")
    batch = zendesk_normalise.events(source, decoded.ticket_events)

    read = {(a.type, a.attributes.get("previous_status")) for a in batch.activities}
    assert read == {("Ticket open", "new"), ("Ticket assigned", None)}
    handed = next(a for a in batch.activities if a.type == "Ticket assigned")
    assert [link.qualifier for link in handed.links] == ["ticket", "assignee"]
