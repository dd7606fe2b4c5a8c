"""Gmail under the metadata scope and Calendar sync, with their stale-cursor answers."""

from __future__ import annotations

from datetime import timedelta

from tests.factories.sandbox import (
    Harness,
    attempt,
    bearer,
    connect,
    decide,
    open_consent,
    redeem,
    refresh,
    running_sandbox,
)

GMAIL = "/google/gmail/v1/users/me"
EVENTS = "/google/calendar/v3/calendars/primary/events"


async def _renewed(h: Harness, tokens: dict[str, str]) -> dict[str, str]:
    answer = await refresh(h.client, "google", tokens["refresh_token"])
    return bearer(answer.json()["access_token"])


async def test_gmail_metadata_scope_allows_metadata_only() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "google"))["access_token"])
        listed = (
            await h.client.get(f"{GMAIL}/messages", params={"maxResults": 5}, headers=auth)
        ).json()
        message = listed["messages"][0]["id"]
        full = await h.client.get(f"{GMAIL}/messages/{message}", headers=auth)
        meta = await h.client.get(
            f"{GMAIL}/messages/{message}",
            params=[("format", "metadata"), ("metadataHeaders", "From"), ("metadataHeaders", "Cc")],
            headers=auth,
        )
        searched = await h.client.get(
            f"{GMAIL}/messages", params={"q": "from:someone"}, headers=auth
        )

    assert full.status_code == 403
    assert full.json()["error"]["message"] == "Metadata scope doesn't allow format FULL"
    assert meta.status_code == 200
    assert {h["name"] for h in meta.json()["payload"]["headers"]} <= {"From", "Cc"}
    assert searched.status_code == 403
    assert "nextPageToken" in listed


async def test_gmail_history_follows_changes_and_404s_on_a_stale_start() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "google")
        auth = bearer(tokens["access_token"])
        start = (await h.client.get(f"{GMAIL}/profile", headers=auth)).json()["historyId"]
        h.clock.advance(timedelta(days=2))
        auth = await _renewed(h, tokens)
        page = (
            await h.client.get(
                f"{GMAIL}/history",
                params={"startHistoryId": start, "historyTypes": "messageAdded", "maxResults": 5},
                headers=auth,
            )
        ).json()
        h.clock.advance(timedelta(days=6))
        auth = await _renewed(h, tokens)
        stale = await h.client.get(
            f"{GMAIL}/history", params={"startHistoryId": start}, headers=auth
        )

    assert int(page["historyId"]) > int(start)
    assert all("messagesAdded" in record for record in page["history"])
    assert all(int(r["id"]) > int(start) for r in page["history"])
    assert "nextPageToken" in page
    assert stale.status_code == 404


async def test_gmail_history_is_stale_once_cursors_are_expired() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "google"))["access_token"])
        start = (await h.client.get(f"{GMAIL}/profile", headers=auth)).json()["historyId"]
        fresh = await h.client.get(
            f"{GMAIL}/history", params={"startHistoryId": start}, headers=auth
        )
        h.clock.advance(timedelta(minutes=1))
        await h.client.post("/_control/cursors/expire", json={"provider": "google"})
        stale = await h.client.get(
            f"{GMAIL}/history", params={"startHistoryId": start}, headers=auth
        )
        restart = (await h.client.get(f"{GMAIL}/profile", headers=auth)).json()["historyId"]
        resumed = await h.client.get(
            f"{GMAIL}/history", params={"startHistoryId": restart}, headers=auth
        )

    assert fresh.status_code == 200
    assert stale.status_code == 404
    assert int(restart) > int(start)  # a full resync gets a position that works again
    assert resumed.status_code == 200


async def _full_sync(h: Harness, auth: dict[str, str]) -> tuple[list[dict], list[dict], str]:
    client = h.client
    pages, items, token = [], [], None
    while True:
        params = {"singleEvents": "true", "showDeleted": "true", "maxResults": "40"}
        if token:
            params["pageToken"] = token
        page = (await client.get(EVENTS, params=params, headers=auth)).json()
        pages.append(page)
        items += page["items"]
        token = page.get("nextPageToken")
        if token is None:
            return pages, items, page["nextSyncToken"]


async def test_calendar_gives_the_sync_token_only_on_the_last_page() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "google"))["access_token"])
        pages, items, _ = await _full_sync(h, auth)

    assert len(pages) > 1
    assert all("nextSyncToken" not in p and "nextPageToken" in p for p in pages[:-1])
    assert "nextPageToken" not in pages[-1]
    assert len({i["id"] for i in items}) == len(items)
    assert any(i["status"] == "cancelled" for i in items)


async def test_calendar_incremental_sync_returns_changes_including_cancellations() -> None:
    async with running_sandbox() as h:
        tokens = await connect(h.client, "google")
        auth = bearer(tokens["access_token"])
        _, _, sync = await _full_sync(h, auth)
        h.clock.advance(timedelta(minutes=50))
        unchanged = (await h.client.get(EVENTS, params={"syncToken": sync}, headers=auth)).json()
        h.clock.advance(timedelta(days=5))
        auth = await _renewed(h, tokens)
        changed = (
            await h.client.get(
                EVENTS, params={"syncToken": unchanged["nextSyncToken"]}, headers=auth
            )
        ).json()
        mixed = await h.client.get(
            EVENTS, params={"syncToken": sync, "timeMin": "2026-01-01T00:00:00Z"}, headers=auth
        )

    assert unchanged["items"] == []
    assert changed["items"]
    assert "nextSyncToken" in changed
    assert mixed.status_code == 400


async def test_calendar_answers_410_for_an_expired_sync_token() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "google"))["access_token"])
        _, _, sync = await _full_sync(h, auth)
        await h.client.post("/_control/cursors/expire", json={"provider": "google"})
        gone = await h.client.get(EVENTS, params={"syncToken": sync}, headers=auth)

    assert gone.status_code == 410
    assert gone.json()["error"]["errors"][0]["reason"] == "fullSyncRequired"


async def test_granting_fewer_scopes_than_asked_shows_in_the_token_and_the_api() -> None:
    async with running_sandbox() as h:
        started = attempt("google")
        page = await open_consent(h.client, started)
        returned = await decide(
            h.client, page, scopes=["https://www.googleapis.com/auth/gmail.metadata"]
        )
        tokens = (await redeem(h.client, started, returned.params["code"])).json()
        calendar = await h.client.get(EVENTS, headers=bearer(tokens["access_token"]))

    assert tokens["scope"] == "https://www.googleapis.com/auth/gmail.metadata"
    assert calendar.status_code == 403
    assert calendar.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"
