"""The overlay through the indexed and cached paths: at scale 2, after a first read has built
(and cached) a provider's tables and indexes, a change made through ``sandbox.mutations`` is
what the next read shows, per provider family. The indexes hold the seeded company only; a
view that served them without laying the overlay over them would keep deleted records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.sandbox.providers.google.mailbox import mailbox
from adapters.sandbox.providers.hubspot.records import object_id
from adapters.sandbox.providers.ids import calendar_event_id, salesforce_id, slack_id
from adapters.sandbox.providers.slack.messages import ts
from adapters.sandbox.providers.zendesk.records import TICKET_BASE
from adapters.sandbox.seed.model import Change
from tests.factories.sandbox import Harness, access_token, bearer, connect, running_sandbox

SCALE = 2


async def _auth(h: Harness, provider: Any) -> dict[str, str]:
    return bearer(access_token(provider, await connect(h.client, provider)))


async def _get(h: Harness, path: str, auth: dict[str, str], **params: Any) -> Any:
    answer = await h.client.get(path, params=params, headers=auth)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_salesforce_query_leaves_out_a_deal_deleted_after_the_first_query() -> None:
    async with running_sandbox(scale=SCALE) as h:
        auth, api = await _auth(h, "salesforce"), "/salesforce/services/data/v62.0"
        deal = next(d for d in h.sandbox.dataset.deals[::-1] if d.created < h.clock.now())
        wanted = salesforce_id("Opportunity", deal.key)
        q = f"SELECT Id, IsDeleted FROM Opportunity WHERE Id = '{wanted}'"
        before = await _get(h, f"{api}/query", auth, q=q)
        h.sandbox.mutations.delete("deal", deal.key, h.clock.now() - timedelta(minutes=1))
        after = await _get(h, f"{api}/query", auth, q=q)
        kept = await _get(h, f"{api}/queryAll", auth, q=q)

    assert [r["Id"] for r in before["records"]] == [wanted]
    assert after["records"] == []
    assert [r["IsDeleted"] for r in kept["records"]] == [True]


async def _hubspot_ids(h: Harness, auth: dict[str, str]) -> list[str]:
    """Every deal the search pages through, 50 a page (the ranked result is cached)."""
    found: list[str] = []
    after: str | None = "0"
    while after is not None:
        body = {"limit": 50, "after": after, "sorts": ["hs_lastmodifieddate"]}
        page = (await h.client.post("/hubspot/crm/v3/objects/deals/search", json=body,
                                    headers=auth)).json()  # fmt: skip
        found += [r["id"] for r in page["results"]]
        after = page.get("paging", {}).get("next", {}).get("after")
    return found


async def test_hubspot_search_list_and_batch_read_follow_deletions_now_and_when_due() -> None:
    async with running_sandbox(scale=SCALE) as h:
        auth, deals = await _auth(h, "hubspot"), "/hubspot/crm/v3/objects/deals"
        now, before_now = h.clock.now(), h.clock.now() - timedelta(minutes=1)
        first, third, second = [d for d in h.sandbox.dataset.deals if d.created < now][-3:]
        gone, also, due = (object_id("deals", d.key) for d in (first, third, second))
        before = await _hubspot_ids(h, auth)
        h.sandbox.mutations.delete("deal", first.key, before_now)
        after = await _hubspot_ids(h, auth)
        h.sandbox.mutations.delete("deal", third.key, before_now)  # the same moment again
        h.sandbox.mutations.delete("deal", second.key, now + timedelta(minutes=10))  # not yet
        again = await _hubspot_ids(h, auth)
        listed = await _get(h, deals, auth, limit=100, after=0)
        read = await h.client.post(
            f"{deals}/batch/read", json={"inputs": [{"id": gone}, {"id": due}]}, headers=auth
        )
        h.clock.advance(timedelta(minutes=15))  # the access token still holds
        later = await _hubspot_ids(h, auth)
        archived = await _get(h, deals, auth, archived="true", limit=100)

    assert {gone, also, due} <= set(before)
    assert len(before) > 100  # more than one page: the paging reads the cached ranking
    assert set(before) - set(after) == {gone}
    assert set(before) - set(again) == {gone, also}  # the overlay's version keys the cache
    assert len(again) == len(set(again))
    assert gone not in {r["id"] for r in listed["results"]}
    assert read.status_code == 207
    assert [r["id"] for r in read.json()["results"]] == [due]
    assert due not in later  # so does the deletion's moment, once the clock passes it
    assert {r["id"] for r in archived["results"]} == {gone, also, due}


async def test_gmail_and_calendar_show_deletions_made_after_the_first_reads() -> None:
    async with running_sandbox(scale=SCALE) as h:
        auth, gmail = await _auth(h, "google"), "/google/gmail/v1/users/me"
        events = "/google/calendar/v3/calendars/primary/events"
        now, lead = h.clock.now(), h.sandbox.dataset.revops_lead.key
        box = mailbox(h.sandbox.dataset, lead)
        message = box.visible(now)[3]
        start = (await _get(h, f"{gmail}/profile", auth))["historyId"]
        await _get(h, f"{gmail}/messages/{message}", auth, format="metadata")
        listing = await _get(h, events, auth, showDeleted="true", maxResults="2500")
        meeting = next(
            m for m in h.sandbox.dataset.meetings
            if m.created <= now and m.cancelled_at is None and m.organizer == lead
        )  # fmt: skip
        h.sandbox.mutations.delete("email", box.emails[message].key, now)
        h.sandbox.mutations.delete("meeting", meeting.key, now)
        gone = await h.client.get(
            f"{gmail}/messages/{message}", params={"format": "metadata"}, headers=auth
        )
        history = await _get(h, f"{gmail}/history", auth, startHistoryId=start, maxResults=1)
        changed = await _get(h, events, auth, syncToken=listing["nextSyncToken"])

    assert gone.status_code == 404
    assert history["history"][0]["messagesDeleted"][0]["message"]["id"] == message
    assert int(history["historyId"]) > int(start)
    assert [(e["id"], e["status"]) for e in changed["items"]] == [
        (calendar_event_id(meeting.key), "cancelled")
    ]


async def test_slack_history_pages_skip_a_message_deleted_between_them() -> None:
    async with running_sandbox(scale=SCALE) as h:
        auth, history = await _auth(h, "slack"), "/slack/api/conversations.history"
        general = next(c for c in h.sandbox.dataset.channels if c.name == "general")
        channel = slack_id("C", general.key)
        first = await _get(h, history, auth, channel=channel, limit="10")
        threads = h.sandbox.dataset.threads_by_channel[general.key]
        listed = {m["ts"] for m in first["messages"]}
        victim = next(
            m for m in reversed(threads)
            if m.ts <= h.clock.now() and ts(m.ts) not in listed
            and not h.sandbox.dataset.replies_by_parent.get(m.key)
        )  # fmt: skip
        h.sandbox.mutations.delete("message", victim.key, h.clock.now() - timedelta(seconds=1))
        cursor, rest = first["response_metadata"]["next_cursor"], []
        while cursor:
            page = await _get(h, history, auth, channel=channel, limit="10", cursor=cursor)
            rest += [m["ts"] for m in page["messages"]]
            cursor = page["response_metadata"]["next_cursor"]

    assert ts(victim.ts) not in rest
    assert listed.isdisjoint(rest)
    assert len(rest) == len(set(rest)) > 30  # several pages, each after the last one's ts


async def test_zendesk_exports_carry_a_ticket_deleted_or_changed_after_the_first_pass() -> None:
    async with running_sandbox(scale=SCALE, zendesk_export_per_minute=None) as h:
        auth, api = await _auth(h, "zendesk"), "/zendesk/api/v2/incremental"
        exported = await _get(h, f"{api}/tickets/cursor.json", auth, start_time=0, per_page=1000)
        while not exported["end_of_stream"]:
            cursor = exported["after_cursor"]
            exported = await _get(h, f"{api}/tickets/cursor.json", auth, cursor=cursor)
        at = h.clock.now() - timedelta(minutes=5)
        deleted, solved = h.sandbox.dataset.tickets[-3].key, h.sandbox.dataset.tickets[-2].key
        h.sandbox.mutations.delete("ticket", deleted, at)
        h.sandbox.mutations.change("ticket", solved, Change("solved", at, 3))
        resumed = await _get(h, f"{api}/tickets/cursor.json", auth, cursor=exported["after_cursor"])
        since = int((at - timedelta(seconds=1)).timestamp())
        audits = await _get(h, f"{api}/ticket_events.json", auth, start_time=since)

    statuses = {t["id"]: t["status"] for t in resumed["tickets"]}
    assert statuses == {TICKET_BASE + deleted: "deleted", TICKET_BASE + solved: "solved"}
    changed = {
        (e["ticket_id"], e["child_events"][0].get("status")) for e in audits["ticket_events"]
    }
    assert (TICKET_BASE + solved, "solved") in changed
    assert TICKET_BASE + deleted not in {ticket for ticket, _ in changed}


async def test_jira_changelog_and_search_lose_an_issue_deleted_after_being_read() -> None:
    async with running_sandbox(scale=SCALE) as h:
        auth = await _auth(h, "jira")
        sites = await _get(h, "/jira/oauth/token/accessible-resources", auth)
        base = f"/jira/ex/jira/{sites[0]['id']}/rest/api/3"
        issue = next(i for i in h.sandbox.dataset.issues[::-1] if i.created < h.clock.now())
        key = f"{issue.project}-{issue.number}"
        read = await h.client.get(f"{base}/issue/{key}/changelog", headers=auth)
        h.sandbox.mutations.delete("issue", issue.key, h.clock.now() - timedelta(minutes=1))
        gone = await h.client.get(f"{base}/issue/{key}/changelog", headers=auth)
        found = await _get(h, f"{base}/search/jql", auth, jql="project = ENG", fields="key",
                           maxResults=5000)  # fmt: skip

    assert read.status_code == 200
    assert gone.status_code == 404
    assert key not in {i["key"] for i in found["issues"]}
    assert len(found["issues"]) > 111  # the scale-1 site has 111 issues
