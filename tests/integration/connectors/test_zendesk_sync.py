"""Zendesk through the sync engine against the sandbox: tickets, their history, people."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from domain.sync.run import RunStatus
from tests.factories.sync_rig import sync_rig


async def test_first_sync_brings_tickets_with_their_status_history(tmp_path: Path) -> None:
    async with sync_rig(tmp_path) as rig:
        connection = await rig.connect("zendesk", subdomain="acme")

        run = await rig.sync(connection)

        assert run.status is RunStatus.SUCCEEDED, run
        horizon = rig.sandbox.clock.now() - timedelta(minutes=1)  # Zendesk's export lag
        opened = [t for t in rig.sandbox.dataset.tickets if t.statuses[0].at <= horizon]
        tickets = rig.entities("ticket")
        assert len(tickets) == len(opened) > 100
        assert all(t.name and t.name.startswith("Ticket #") for t in tickets)
        assert len(rig.activities("Ticket created")) == len(opened)
        assert rig.activities("Ticket solved")
        assert {s.stream for s in run.streams} == {
            "organizations",
            "users",
            "tickets",
            "ticket_events",
        }
