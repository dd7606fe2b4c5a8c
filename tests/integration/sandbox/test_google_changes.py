"""Changes to the company as Gmail and Calendar show them: trash, deletions, touched events.

A change made at the very instant a client read the mailbox or took a sync token must still
come after that position: history ids and sync tokens are positions, not timestamps.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.sandbox.providers.google.mailbox import mailbox
from adapters.sandbox.providers.ids import calendar_event_id
from tests.factories.sandbox import Harness, bearer, connect, running_sandbox

GMAIL = "/google/gmail/v1/users/me"
EVENTS = "/google/calendar/v3/calendars/primary/events"


async def _history(h: Harness, auth: dict[str, str], start: str) -> list[dict[str, Any]]:
    answer = await h.client.get(
        f"{GMAIL}/history", params={"startHistoryId": start, "maxResults": 500}, headers=auth
    )
    assert answer.status_code == 200, answer.text
    return answer.json().get("history", [])  # type: ignore[no-any-return]


async def test_a_deleted_email_is_a_message_deleted_record_after_the_position_read() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "google"))["access_token"])
        now = h.sandbox.clock.now()
        box = mailbox(h.sandbox.dataset, h.sandbox.dataset.revops_lead.key)
        first, second = box.visible(now)[:2]
        start = (await h.client.get(f"{GMAIL}/profile", headers=auth)).json()["historyId"]
        keys = {message: email.key for message, email in box.emails.items()}
        h.sandbox.mutations.delete("email", keys[first], now)  # the same instant
        h.sandbox.mutations.delete("email", keys[second], now)
        records = await _history(h, auth, start)
        gone = await h.client.get(
            f"{GMAIL}/messages/{first}", params={"format": "metadata"}, headers=auth
        )
        listed = (
            await h.client.get(f"{GMAIL}/messages", params={"maxResults": 500}, headers=auth)
        ).json()

    deleted = [d["message"]["id"] for r in records for d in r.get("messagesDeleted", [])]
    assert deleted == [first, second]  # in the order they were made
    assert all(int(r["id"]) > int(start) for r in records)
    assert gone.status_code == 404
    assert {first, second}.isdisjoint(m["id"] for m in listed["messages"])


async def test_trashing_adds_the_trash_label_and_hides_the_message_from_the_list() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "google")
        auth = bearer(tokens["access_token"])
        box = mailbox(h.sandbox.dataset, h.sandbox.dataset.revops_lead.key)
        now = h.sandbox.clock.now()
        trashed = next(
            m
            for m, e in box.emails.items()
            if e.trashed_at is not None and now - timedelta(days=6) < e.trashed_at <= now
        )
        start = next(e for e in box.events if e.message == trashed and e.kind == "labelAdded")
        records = await _history(h, auth, str(start.id - 1))
        message = await h.client.get(
            f"{GMAIL}/messages/{trashed}", params={"format": "metadata"}, headers=auth
        )
        listed = await h.client.get(f"{GMAIL}/messages", params={"maxResults": 500}, headers=auth)
        with_trash = await h.client.get(
            f"{GMAIL}/messages",
            params={"maxResults": 500, "includeSpamTrash": "true"},
            headers=auth,
        )

    added = records[0]["labelsAdded"][0]
    assert (added["message"]["id"], added["labelIds"]) == (trashed, ["TRASH"])
    assert message.status_code == 200
    assert "TRASH" in message.json()["labelIds"]
    assert trashed not in {m["id"] for m in listed.json()["messages"]}
    assert trashed in {m["id"] for m in with_trash.json()["messages"]}


async def _sync_token(h: Harness, auth: dict[str, str]) -> str:
    params: dict[str, str] = {"singleEvents": "true", "showDeleted": "true", "maxResults": "2500"}
    page = (await h.client.get(EVENTS, params=params, headers=auth)).json()
    assert "nextPageToken" not in page
    return page["nextSyncToken"]  # type: ignore[no-any-return]


async def test_events_changed_at_the_instant_of_the_sync_token_are_not_skipped() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "google"))["access_token"])
        now = h.sandbox.clock.now()
        lead = h.sandbox.dataset.revops_lead.key
        mine = [
            m
            for m in h.sandbox.dataset.meetings
            if m.created <= now and m.cancelled_at is None and lead in (p for p, _ in m.attendees)
        ]
        token = await _sync_token(h, auth)
        h.sandbox.mutations.touch("meeting", mine[0].key, now)  # both at the token's instant
        h.sandbox.mutations.delete("meeting", mine[1].key, now)
        changed = (await h.client.get(EVENTS, params={"syncToken": token}, headers=auth)).json()
        again = (
            await h.client.get(EVENTS, params={"syncToken": changed["nextSyncToken"]}, headers=auth)
        ).json()

    by_id = {e["id"]: e for e in changed["items"]}
    assert set(by_id) == {calendar_event_id(mine[0].key), calendar_event_id(mine[1].key)}
    assert by_id[calendar_event_id(mine[0].key)]["status"] == "confirmed"
    assert by_id[calendar_event_id(mine[1].key)] == {
        "kind": "calendar#event",
        "etag": by_id[calendar_event_id(mine[1].key)]["etag"],
        "id": calendar_event_id(mine[1].key),
        "status": "cancelled",
        "updated": by_id[calendar_event_id(mine[1].key)]["updated"],
    }
    assert again["items"] == []
