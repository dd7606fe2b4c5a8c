"""How many records each emulated provider serves from the seeded company, as of a moment.

The figures are what one connection per provider, signed in as the default person (the RevOps
lead), pages through in a full sync: the whole CRM, help desk, tracker and Slack workspace she
can see, and her own mailbox and calendar. Stage and status histories count one record per
entry, as the providers return them (OpportunityHistory rows, HubSpot property history, Zendesk
ticket events, hand-overs included, Jira changelog histories: one per issue and second, which
groups a status change, a hand-over to a reviewer and a retitle made at once). They are counted
from the seed's rules, not by calling the views, so asking costs milliseconds; an integration
test checks them against the views. Changes made through the control API (``Mutations``) are
not counted: this is the seeded company.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from adapters.sandbox.seed.dataset import Dataset
from adapters.sandbox.seed.model import Change, Issue


def census(d: Dataset, now: datetime) -> dict[str, dict[str, int]]:
    """``{provider: {kind: records}}`` visible at ``now``."""
    contacts = sum(1 for p in d.people if not p.internal)
    deal_emails = sum(1 for e in d.emails if e.deal is not None and e.sent <= now)
    deal_meetings = sum(1 for m in d.meetings if m.deal is not None and m.created <= now)
    deals = sum(1 for x in d.deals if x.created <= now)
    tickets = sum(1 for t in d.tickets if t.created <= now)
    return {
        "salesforce": {
            "User": len(d.internal_people),
            "Account": len(d.accounts),
            "Contact": contacts,
            "Opportunity": deals,
            "OpportunityHistory": _entries((x.stages for x in d.deals), now),
            "Task": deal_emails,
            "Event": deal_meetings,
        },
        "hubspot": {
            "companies": len(d.accounts),
            "contacts": contacts + _bulk(d, now),
            "deals": deals,
            "deal stage history": _entries((x.stages for x in d.deals), now),
            "tickets": tickets,
            "ticket stage history": _entries((t.statuses for t in d.tickets), now),
            "meetings": deal_meetings,
            "emails": deal_emails,
        },
        "gmail": {"messages": _mailbox(d, d.revops_lead.key, now)},
        "google_calendar": {"events": _calendar(d, d.revops_lead.key, now)},
        "slack": _slack(d, now),
        "zendesk": {
            "users": len(d.people),
            "organizations": len(d.accounts),
            "tickets": tickets,
            "ticket_events": _entries(((*t.statuses, *t.reassignments) for t in d.tickets), now),
        },
        "jira": {
            "issues": sum(1 for i in d.issues if i.created <= now),
            "changelog": sum(_histories(i, now) for i in d.issues),
        },
    }


def total(counts: dict[str, dict[str, int]]) -> int:
    return sum(n for kinds in counts.values() for n in kinds.values())


def _entries(histories: Iterable[tuple[Change, ...]], now: datetime) -> int:
    return sum(1 for history in histories for change in history if change.at <= now)


def _histories(issue: Issue, now: datetime) -> int:
    """The issue's changelog histories by ``now``: its changes grouped by the second."""
    moments = [c.at for c in issue.statuses[1:]]
    moments += [a.at for a in issue.assignments] + [e.at for e in issue.edits]
    return len({at.replace(microsecond=0) for at in moments if at <= now})


def _bulk(d: Dataset, now: datetime) -> int:
    """The imported contacts are modified 300 ms apart from ``bulk_modified`` on."""
    if now < d.bulk_modified:
        return 0
    return min(d.bulk_contacts, (now - d.bulk_modified) // timedelta(milliseconds=300) + 1)


def _mailbox(d: Dataset, owner: int, now: datetime) -> int:
    return sum(
        1
        for e in d.emails
        if owner in (e.sender, *e.to, *e.cc)
        and e.sent <= now
        and (e.trashed_at is None or e.trashed_at > now)
    )


def _calendar(d: Dataset, person: int, now: datetime) -> int:
    """Her events in a full sync with cancelled ones shown (what an incremental sync needs)."""
    return sum(
        1
        for m in d.meetings
        if m.created <= now and (m.organizer == person or any(p == person for p, _ in m.attendees))
    )


def _slack(d: Dataset, now: datetime) -> dict[str, int]:
    me = d.revops_lead.key
    rooms = {c.key for c in d.channels if c.created <= now and me in c.members}
    return {
        "users": len(d.slack_members),
        "channels": len(rooms),
        "messages": sum(1 for m in d.messages if m.channel in rooms and m.ts <= now),
    }
