"""HubSpot through the sync engine against the sandbox: deals and their stages, companies,
contacts; later changes, ties at the cursor, archived records, and no content stored."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import msgspec

from adapters.fakes.graph_tables import GraphTables
from adapters.sandbox.providers.hubspot.records import (
    deal_stage,
    key_of,
    object_id,
    owner_id,
    records,
)
from adapters.sandbox.seed.model import Change, history_until, state_at
from domain.sync.run import RunStatus
from tests.factories.hubspot import (
    attribute,
    by_source,
    cursor,
    live,
    moment,
    position,
    relationships,
    stream,
)
from tests.factories.sync_rig import SyncRig, sync_rig

LATER = timedelta(minutes=2)  # past the minute HubSpot's search index is given to catch up


def stage_changes(rig: SyncRig, deal_id: str) -> list[tuple[datetime, str]]:
    found = [a for a in rig.activities() if a.ref.source_id.startswith(f"dealstage:{deal_id}:")]
    return sorted((a.occurred_at, a.type) for a in found)


async def test_first_sync_brings_deals_with_their_stage_history_and_associations(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("hubspot")

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert {s.stream for s in run.streams} == {"companies", "contacts", "deals", "archived"}
        data, now = rig.sandbox.dataset, rig.sandbox.clock.now()
        deals = by_source(rig, "deal", "deal")
        visible = live(rig, "deals", position(run, "deals"))
        seeded = {r.id: data.deals[key_of("deals", r.id) or 0] for r in visible}
        assert set(deals) == set(seeded)
        assert len(deals) > 50
        for deal_id, deal in seeded.items():
            history = history_until(deal.stages, now)
            assert len(stage_changes(rig, deal_id)) == len(history), deal_id
            assert attribute(deals[deal_id], "dealstage") == deal_stage(history[-1].value)
        won = next(i for i, d in seeded.items() if d.stages[-1].value == "closed_won")
        assert stage_changes(rig, won)[0][1] == "Appointment Scheduled"
        assert stage_changes(rig, won)[-1][1] == "Closed Won"
        assert attribute(deals[won], "stage") == "Closed Won"
        assert deals[won].url == f"https://app.hubspot.com/contacts/146520881/record/0-3/{won}"
        links, deal = relationships(rig), seeded[won]
        company = object_id("companies", deal.account)
        assert (f"deal:{won}", f"company:{company}", "company") in links
        for contact in deal.contacts:
            assert (f"deal:{won}", f"contact:{object_id('contacts', contact)}", "contact") in links


async def test_companies_and_contacts_arrive_and_resolve_with_another_source(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("hubspot")
        zendesk = await rig.connect("zendesk", subdomain="acme")

        run = await rig.sync(connection)
        await rig.sync(zendesk)

        companies = by_source(rig, "company", "company")
        assert set(companies) == {r.id for r in live(rig, "companies", position(run, "companies"))}
        contacts = by_source(rig, "person", "contact")
        assert set(contacts) == {r.id for r in live(rig, "contacts", position(run, "contacts"))}
        data = rig.sandbox.dataset
        person = data.contacts_of(0)[0]
        contact_id = object_id("contacts", person.key)
        company_id = object_id("companies", person.account or 0)
        assert (f"contact:{contact_id}", f"company:{company_id}", "member_of") in relationships(rig)
        # One person across HubSpot and Zendesk by email, one company by its domain.
        zendesk_people = [e for e in rig.entities("person") if e.ref.provider == "zendesk"]
        twin = next(e for e in zendesk_people if e.name == person.name)
        assert twin.canonical_id == contacts[contact_id].canonical_id
        assert len({c.canonical_id for c in contacts.values()}) == len(contacts)  # no over-merge
        zendesk_companies = [e for e in rig.entities("company") if e.ref.provider == "zendesk"]
        account = data.accounts[person.account or 0]
        org = next(e for e in zendesk_companies if e.name == account.name)
        assert org.canonical_id == companies[company_id].canonical_id


async def test_seeded_stage_changes_after_the_cursor_are_picked_up(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("hubspot")
        before = position(await rig.sync(connection), "deals")
        rig.sandbox.clock.advance(timedelta(days=7))

        run = await rig.sync(connection)

        after, now = position(run, "deals"), rig.sandbox.clock.now()
        moved = {r.id for r in live(rig, "deals", after) if r.updated >= before}
        assert moved  # deals that moved on during the week
        assert stream(run, "deals").fetched == len(moved)  # those, and only those, read again
        for deal_id in moved:
            deal = rig.sandbox.dataset.deals[key_of("deals", deal_id) or 0]
            assert len(stage_changes(rig, deal_id)) == len(history_until(deal.stages, now))


async def test_a_stage_change_appended_after_the_cursor_arrives_with_who_made_it(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("hubspot")
        await rig.sync(connection)
        at = rig.sandbox.clock.now().replace(microsecond=0)
        deal = next(
            d for d in rig.sandbox.dataset.deals
            if (s := state_at(d.stages, at)) is not None and not s.value.startswith("closed")
        )  # fmt: skip
        rig.sandbox.mutations.change("deal", deal.key, Change("closed_won", at, deal.owner))
        rig.sandbox.clock.advance(LATER)

        await rig.sync(connection)

        deal_id = object_id("deals", deal.key)
        assert attribute(by_source(rig, "deal", "deal")[deal_id], "dealstage") == "closedwon"
        won = [
            a for a in rig.activities("Closed Won") if f"dealstage:{deal_id}:" in a.ref.source_id
        ]
        assert [a.occurred_at for a in won] == [at]
        assert won[0].actor_id == by_source(rig, "person", "user")[owner_id(deal.owner)].id


async def test_records_modified_at_the_cursors_own_millisecond_are_not_skipped(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("hubspot")
        await rig.sync(connection)
        at = moment(cursor(rig, connection, "companies").at)
        first, second, untouched = rig.sandbox.dataset.accounts[:3]
        for account in (first, second):  # two records, one millisecond: the cursor's own
            rig.sandbox.mutations.touch("account", account.key, at)
        rig.sandbox.clock.advance(LATER)

        run = await rig.sync(connection)

        companies = by_source(rig, "company", "company")
        touched = [companies[object_id("companies", a.key)] for a in (first, second)]
        assert [attribute(c, "updated_at") for c in touched] == [at.isoformat()] * 2
        assert attribute(companies[object_id("companies", untouched.key)], "updated_at") != (
            at.isoformat()
        )
        assert stream(run, "companies").fetched == 2


async def test_archived_records_leave_the_graph_and_a_deal_takes_its_stage_changes(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("hubspot")
        await rig.sync(connection)
        data, now = rig.sandbox.dataset, rig.sandbox.clock.now()
        deal = next(d for d in data.deals if len(stage_changes(rig, object_id("deals", d.key))) > 2)
        deal_id = object_id("deals", deal.key)
        lost = len(stage_changes(rig, deal_id))
        changes = len(rig.activities())
        person, account = data.contacts_of(1)[0], data.accounts[5]
        mutations = rig.sandbox.mutations
        mutations.delete("deal", deal.key, now)
        mutations.delete("person", person.key, now)
        mutations.delete("account", account.key, now)
        rig.sandbox.clock.advance(LATER)

        run = await rig.sync(connection)
        again = await rig.sync(connection)

        assert deal_id not in by_source(rig, "deal", "deal")
        assert stage_changes(rig, deal_id) == []
        assert len(rig.activities()) == changes - lost
        assert object_id("contacts", person.key) not in by_source(rig, "person", "contact")
        assert object_id("companies", account.key) not in by_source(rig, "company", "company")
        assert stream(run, "archived").records_deleted == 3 + lost
        assert stream(again, "archived").records_deleted == 0


async def test_no_content_is_stored(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("hubspot")

        await rig.sync(connection)

        served = records(rig.sandbox.dataset, "deals", rig.sandbox.clock.now())
        assert all("ATLAS-CANARY-" in r.properties["description"] for r in served)  # on offer
        graph = rig.store.tables.of(GraphTables)
        stored = msgspec.json.encode(
            [
                list(graph.entities.values()),
                list(graph.activities.values()),
                list(graph.types.values()),
            ]
        )
        assert len(rig.entities("deal")) > 50
        assert b"ATLAS-CANARY-" not in stored
        assert not [c for c in rig.sandbox.dataset.canaries if c.encode() in stored]
