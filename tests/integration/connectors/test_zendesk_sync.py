"""Zendesk through the sync engine against the sandbox: tickets, their history, people."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import msgspec

from adapters.sandbox.providers.zendesk.records import TICKET_BASE
from adapters.sandbox.seed.model import Change, state_at
from domain.sync.run import RunStatus
from tests.factories.sync_rig import SyncRig, sync_rig

STREAMS = {"organizations", "users", "tickets", "ticket_events"}


def _ticket(rig: SyncRig, key: int) -> list[str]:
    """The stored activity types of one seeded ticket, in time order."""
    ref = f"ticket:{TICKET_BASE + key}"
    ticket = next(e for e in rig.entities("ticket") if e.ref.source_id == ref)
    mine = [a for a in rig.activities() if any(o.entity_id == ticket.id for o in a.objects)]
    return [a.type for a in sorted(mine, key=lambda a: (a.occurred_at, a.source_seq))]


def _open_tickets(rig: SyncRig) -> list[int]:
    """Seeded tickets that exist and are still open now (a status can still be added)."""
    now = rig.sandbox.clock.now() - timedelta(minutes=2)
    return [
        t.key
        for t in rig.sandbox.dataset.tickets
        if t.statuses[0].at < now - timedelta(days=1)
        and (state_at(t.statuses, now) or t.statuses[0]).value in ("new", "open", "pending")
    ]


async def test_first_sync_brings_tickets_with_their_status_and_assignee_history(
    tmp_path: Path,
) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("zendesk", subdomain="acme")

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        horizon = rig.sandbox.clock.now() - timedelta(minutes=1)  # Zendesk's export lag
        opened = [t for t in rig.sandbox.dataset.tickets if t.statuses[0].at <= horizon]
        handed = [t for t in opened if any(c.at <= horizon for c in t.reassignments)]
        tickets = rig.entities("ticket")
        assert len(tickets) == len(opened) > 100
        assert all(t.name and t.name.startswith("Ticket #") for t in tickets)
        assert len(rig.activities("Ticket created")) == len(opened)
        assert rig.activities("Ticket solved")
        assigned = rig.activities("Ticket assigned")
        assert len(assigned) == len(handed) > 10
        assert all({o.qualifier for o in a.objects} == {"ticket", "assignee"} for a in assigned)
        assert {s.stream for s in run.streams} == STREAMS
        assert all(s.finished_at is not None for s in run.streams)
        # People from tickets and from the user listing are one record each (resolved).
        people = rig.entities("person")
        assert len({p.canonical_id for p in people}) == len(rig.sandbox.dataset.people)


async def test_a_change_after_the_cursor_is_picked_up_and_nothing_doubles(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("zendesk", subdomain="acme")
        await rig.sync(connection)
        key, before = _open_tickets(rig)[0], len(rig.activities())
        at = rig.sandbox.clock.now() - timedelta(minutes=5)
        rig.sandbox.mutations.change("ticket", key, Change("solved", at, 3))

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert _ticket(rig, key)[-1] == "Ticket solved"
        assert len(rig.activities()) == before + 1
        assert run.totals.new == 1  # only the new status change is new


async def test_events_on_the_cursors_own_second_are_not_skipped(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("zendesk", subdomain="acme")
        await rig.sync(connection)
        last = max(a.occurred_at for a in rig.activities())  # the event cursor's second
        first, second = _open_tickets(rig)[:2]
        for key in (first, second):
            rig.sandbox.mutations.change("ticket", key, Change("pending", last, 3))

        await rig.sync(connection)

        assert _ticket(rig, first)[-1] == "Ticket pending"
        assert _ticket(rig, second)[-1] == "Ticket pending"


async def test_a_deleted_ticket_leaves_the_graph_with_its_history(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("zendesk", subdomain="acme")
        await rig.sync(connection)
        key = _open_tickets(rig)[0]
        ref = f"ticket:{TICKET_BASE + key}"
        history = len(_ticket(rig, key))
        before = len(rig.activities())
        rig.sandbox.mutations.delete("ticket", key, rig.sandbox.clock.now() - timedelta(minutes=2))

        run = await rig.sync(connection)

        assert ref not in {e.ref.source_id for e in rig.entities("ticket")}
        assert len(rig.activities()) == before - history
        assert run.totals.deleted == 1 + history


async def test_an_expired_export_cursor_resyncs_without_duplicates(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("zendesk", subdomain="acme")
        await rig.sync(connection)
        digest, tickets = await rig.digest(), len(rig.entities("ticket"))
        rig.sandbox.cursors.expire("zendesk")

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        assert len(rig.entities("ticket")) == tickets
        assert await rig.digest() == digest
        (read,) = [s for s in run.streams if s.stream == "tickets"]
        assert read.fetched > 0  # the refused cursor was met: the window was read again


async def test_no_content_the_sandbox_serves_is_stored(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("zendesk", subdomain="acme")

        await rig.sync(connection)

        stored = msgspec.json.encode([rig.entities(), rig.activities()]).decode()
        canaries = [c for c in rig.sandbox.dataset.canaries if "ticket" in c]
        assert canaries
        assert not [c for c in rig.sandbox.dataset.canaries if c in stored]
        assert "ATLAS-CANARY-" not in stored
