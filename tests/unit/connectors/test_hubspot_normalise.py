"""The HubSpot normaliser: an explicit allow-list, stage changes as activities, identities."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from adapters.connectors.api import ApiResponse, Verdict
from adapters.connectors.hubspot import deals, normalise
from adapters.connectors.hubspot.calls import classify
from adapters.connectors.hubspot.records import (
    Company,
    CompanyProperties,
    Contact,
    Deal,
    DealProperties,
    DealWithHistory,
    SearchPage,
    Version,
)
from domain.graph.model import Identity

SOURCE = normalise.Source(scope="conn-1", hub="146520881")
CANARY = "ATLAS-CANARY-deal-description-0123456789ab"
DEAL_PAGE = {
    "total": 1,
    "results": [
        {
            "id": "14000000007",
            "properties": {
                "dealname": "Initech - Renewal",
                "dealstage": "contractsent",
                "pipeline": "default",
                "amount": "42000",
                "closedate": "2026-03-01T12:00:00.000Z",
                "hubspot_owner_id": "70000003",
                "hs_lastmodifieddate": "2026-01-10T09:30:00.123Z",
                "description": f"Budget talk with the CFO [{CANARY}]",
                "hs_email_subject": f"Re: pricing [{CANARY}]",
                "hs_next_step": f"Call back [{CANARY}]",
            },
            "updatedAt": "2026-01-10T09:30:00.123Z",
            "archived": False,
        }
    ],
}
HISTORY = {  # HubSpot lists a property's history newest first
    "id": "14000000007",
    "propertiesWithHistory": {
        "dealstage": [
            {"value": "contractsent", "timestamp": "2026-01-10T09:30:00.123Z",
             "sourceType": "CRM_UI", "sourceId": "userId:555", "sourceLabel": CANARY},
            {"value": "qualifiedtobuy", "timestamp": "2026-01-02T10:00:00.000Z",
             "sourceType": "CRM_UI", "sourceId": "userId:444"},
            {"value": "appointmentscheduled", "timestamp": "2025-12-20T08:00:00.000Z",
             "sourceType": "IMPORT", "updatedByUserId": 333},
        ]
    },
}  # fmt: skip
LABELS = {"appointmentscheduled": "Appointment Scheduled", "contractsent": "Contract Sent"}


def test_only_the_allow_listed_deal_properties_are_decoded_and_no_content_is_stored() -> None:
    page = msgspec.json.decode(msgspec.json.encode(DEAL_PAGE), type=SearchPage[Deal])
    history = msgspec.json.decode(msgspec.json.encode(HISTORY), type=DealWithHistory)
    links = deals.DealLinks(stages={history.id: history.propertiesWithHistory.dealstage})

    batch = deals.deals(SOURCE, page.results, links)

    assert set(DealProperties.__struct_fields__) == {
        "dealname", "dealstage", "pipeline", "amount", "closedate", "hubspot_owner_id",
        "createdate", "hs_lastmodifieddate",
    }  # fmt: skip
    assert CANARY.encode() not in msgspec.json.encode(page)
    assert CANARY.encode() not in msgspec.json.encode(batch)
    (deal,) = [e for e in batch.entities if not e.reference]
    assert deal.name == "Initech - Renewal"
    assert {a.name: a.value for a in deal.attributes}["amount"] == 42000.0
    assert deal.url == "https://app.hubspot.com/contacts/146520881/record/0-3/14000000007"


def test_each_stage_entered_is_an_activity_named_by_its_label_oldest_first() -> None:
    history = msgspec.json.decode(msgspec.json.encode(HISTORY), type=DealWithHistory)
    deal = Deal(id="14000000007", properties=DealProperties(pipeline="default"))

    changes = deals.stage_changes(SOURCE, deal, history.propertiesWithHistory.dealstage, LABELS)

    assert [c.type for c in changes] == ["Appointment Scheduled", "qualifiedtobuy", "Contract Sent"]
    assert [c.source_seq for c in changes] == [0, 1, 2]
    assert changes[0].occurred_at == datetime(2025, 12, 20, 8, tzinfo=UTC)
    assert [c.actor.source_id if c.actor else None for c in changes] == [
        "user:333", "user:444", "user:555",
    ]  # fmt: skip
    assert changes[2].ref.source_id == "dealstage:14000000007:1768037400123:contractsent"
    assert changes[0].attributes["source"] == "IMPORT"
    assert all(link.object.source_id == "deal:14000000007" for c in changes for link in c.links)


def test_a_change_without_a_user_has_no_actor() -> None:
    version = Version(timestamp="2026-01-02T10:00:00Z", value="closedwon", sourceType="WORKFLOW",
                      sourceId="workflow:123")  # fmt: skip

    (change,) = deals.stage_changes(SOURCE, Deal(id="1"), [version], {})

    assert change.actor is None
    assert change.type == "closedwon"


def test_companies_resolve_by_domain_and_portal_id_and_contacts_by_email() -> None:
    company = Company(
        id="9100000003",
        properties=CompanyProperties(
            name="Initech", domain=" Initech.EXAMPLE ", hubspot_owner_id="70000001"
        ),
    )
    contact = msgspec.convert(
        {"id": "1005", "properties": {"email": "ann@initech.example", "firstname": "Ann",
                                      "lastname": " Lee"}},
        type=Contact,
    )  # fmt: skip

    companies = normalise.companies(SOURCE, [company])
    people = normalise.contacts(SOURCE, [contact], {"1005": ["9100000003"]})

    (stored,) = [e for e in companies.entities if not e.reference]
    assert set(stored.identities) == {
        Identity(kind="account", value="hubspot:146520881/9100000003"),
        Identity(kind="domain", value="initech.example"),
    }
    (person,) = [e for e in people.entities if e.type == "person" and not e.reference]
    assert person.name == "Ann Lee"
    assert Identity(kind="email", value="ann@initech.example") in person.identities
    assert [
        (r.source.source_id, r.target.source_id, r.qualifier) for r in people.relationships
    ] == [("contact:1005", "company:9100000003", "member_of")]
    owner = next(e for e in companies.entities if e.reference)
    assert owner.ref.source_id == "owner:70000001"


def test_a_throttle_without_retry_after_waits_its_interval_and_a_missing_scope_is_fatal() -> None:
    now = datetime(2026, 1, 10, 23, 0, tzinfo=UTC)
    secondly = ApiResponse(
        status=429,
        headers={"x-hubspot-ratelimit-interval-milliseconds": "10000"},
        content=b'{"policyName":"TEN_SECONDLY_ROLLING"}',
    )
    daily = ApiResponse(status=429, headers={}, content=b'{"policyName":"DAILY"}')
    scopes = ApiResponse(status=403, headers={}, content=b'{"category":"MISSING_SCOPES"}')
    forbidden = ApiResponse(status=403, headers={}, content=b"{}")

    assert classify(secondly, now) == Verdict(kind="throttled", reason="http_429", retry_after=10.0)
    assert classify(daily, now) == Verdict(
        kind="throttled", reason="daily_limit", retry_after=3600.0
    )
    assert classify(scopes, now) == Verdict(kind="rejected", reason="missing_scopes")
    assert classify(forbidden, now) is None
