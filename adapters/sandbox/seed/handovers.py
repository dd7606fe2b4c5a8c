"""Tickets changing hands: about a third of them move to another support agent while open.

Drawn from a random stream of their own, so adding hand-overs changed nothing else the seed
generates (every other record is what it was).
"""

from __future__ import annotations

import dataclasses
import random

from adapters.sandbox.seed.model import Change, Person, Ticket

SHARE = 0.35


def with_handovers(tickets: list[Ticket], people: list[Person], seed: int) -> list[Ticket]:
    rng = random.Random(f"handovers:{seed}")
    support = [p.key for p in people if p.team == "support"]
    changed = []
    for ticket in tickets:
        if rng.random() < SHARE and len(ticket.statuses) >= 3 and len(support) > 1:
            opened, next_change = ticket.statuses[1].at, ticket.statuses[2].at
            at = opened + (next_change - opened) * rng.uniform(0.2, 0.8)
            to = rng.choice([k for k in support if k != ticket.assignee])
            handover = Change(str(to), at.replace(microsecond=0), ticket.assignee)
            ticket = dataclasses.replace(ticket, reassignments=(handover,))
        changed.append(ticket)
    return changed
