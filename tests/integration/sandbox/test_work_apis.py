"""Slack history, Zendesk incremental exports and Jira search, with their cursors and errors."""

from __future__ import annotations

from datetime import timedelta

from tests.factories.sandbox import (
    NOW,
    Harness,
    access_token,
    bearer,
    connect,
    refresh,
    running_sandbox,
)


async def _slack(h: Harness) -> dict[str, str]:
    tokens = await connect(h.client, "slack")
    return bearer(access_token("slack", tokens))


async def test_slack_history_pages_until_the_cursor_is_empty() -> None:
    async with running_sandbox() as h:
        auth = await _slack(h)
        channels = (
            await h.client.get(
                "/slack/api/conversations.list",
                params={"types": "public_channel,private_channel"},
                headers=auth,
            )
        ).json()["channels"]
        deals = next(c["id"] for c in channels if c["name"] == "deals")
        seen, cursor, pages = [], None, 0
        while True:
            params = {"channel": deals, "limit": "50", **({"cursor": cursor} if cursor else {})}
            page = (
                await h.client.get("/slack/api/conversations.history", params=params, headers=auth)
            ).json()
            seen += page["messages"]
            pages += 1
            cursor = page["response_metadata"]["next_cursor"]
            if not cursor:
                break

    stamps = [m["ts"] for m in seen]
    assert pages > 1
    assert page["has_more"] is False
    assert page["response_metadata"]["next_cursor"] == ""
    assert stamps == sorted(stamps, reverse=True)
    assert len(set(stamps)) == len(stamps)
    assert any("reply_count" in m for m in seen)


async def test_slack_oldest_is_exclusive_and_replies_come_from_replies() -> None:
    async with running_sandbox() as h:
        auth = await _slack(h)
        channels = (
            await h.client.get(
                "/slack/api/conversations.list", params={"types": "public_channel"}, headers=auth
            )
        ).json()["channels"]
        deals = next(c["id"] for c in channels if c["name"] == "deals")
        latest = (
            await h.client.get(
                "/slack/api/conversations.history",
                params={"channel": deals, "limit": "200"},
                headers=auth,
            )
        ).json()["messages"]
        parent = next(m for m in latest if m.get("reply_count"))
        after = (
            await h.client.get(
                "/slack/api/conversations.history",
                params={"channel": deals, "oldest": latest[0]["ts"]},
                headers=auth,
            )
        ).json()
        thread = (
            await h.client.get(
                "/slack/api/conversations.replies",
                params={"channel": deals, "ts": parent["ts"]},
                headers=auth,
            )
        ).json()

    assert after["messages"] == []
    assert thread["messages"][0]["ts"] == parent["ts"]
    assert len(thread["messages"]) == parent["reply_count"] + 1
    assert all(m["thread_ts"] == parent["ts"] for m in thread["messages"][1:])


async def test_slack_errors_are_http_200_with_ok_false() -> None:
    async with running_sandbox() as h:
        auth = await _slack(h)
        unknown = await h.client.get(
            "/slack/api/conversations.history", params={"channel": "CNOPE"}, headers=auth
        )
        no_auth = await h.client.get("/slack/api/conversations.list")
        bad_cursor = await h.client.get(
            "/slack/api/users.list", params={"cursor": "bogus"}, headers=auth
        )

    assert unknown.status_code == no_auth.status_code == bad_cursor.status_code == 200
    assert unknown.json() == {"ok": False, "error": "channel_not_found"}
    assert no_auth.json() == {"ok": False, "error": "not_authed"}
    assert bad_cursor.json() == {"ok": False, "error": "invalid_cursor"}


async def test_slack_users_carry_emails_only_with_the_email_scope() -> None:
    async with running_sandbox() as h:
        with_email = await _slack(h)
        tokens = await connect(h.client, "slack", user_scope="users:read")
        without = bearer(access_token("slack", tokens))
        full = (
            await h.client.get(
                "/slack/api/users.list", params={"limit": "1000"}, headers=with_email
            )
        ).json()
        bare = (
            await h.client.get("/slack/api/users.list", params={"limit": "5"}, headers=without)
        ).json()

    assert all("email" in m["profile"] for m in full["members"])
    assert all("email" not in m["profile"] for m in bare["members"])
    assert any(m["is_restricted"] for m in full["members"])  # customer guests in shared channels


TICKETS = "/zendesk/api/v2/incremental/tickets/cursor.json"


async def test_zendesk_cursor_export_runs_to_end_of_stream_and_resumes_later() -> None:
    async with running_sandbox(zendesk_export_per_minute=None) as h:
        tokens = await connect(h.client, "zendesk")
        auth = bearer(tokens["access_token"])
        start = int((NOW - timedelta(days=30)).timestamp())
        page = (
            await h.client.get(TICKETS, params={"start_time": start, "per_page": 10}, headers=auth)
        ).json()
        pages = [page]
        while not page["end_of_stream"]:
            page = (
                await h.client.get(
                    TICKETS, params={"cursor": page["after_cursor"], "per_page": 10}, headers=auth
                )
            ).json()
            pages.append(page)
        h.clock.advance(timedelta(days=1))
        auth = bearer(
            (await refresh(h.client, "zendesk", tokens["refresh_token"])).json()["access_token"]
        )
        later = (
            await h.client.get(TICKETS, params={"cursor": page["after_cursor"]}, headers=auth)
        ).json()

    tickets = [t for p in pages for t in p["tickets"]]
    assert len(pages) > 1
    assert pages[0]["after_url"].startswith(
        "https://sandbox.test/zendesk/api/v2/incremental/tickets/cursor.json?cursor="
    )
    assert all(
        t["updated_at"] <= (NOW - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for t in tickets
    )
    assert later["tickets"]  # changes made since the stream ended


async def test_zendesk_excludes_the_last_minute_and_refuses_a_too_recent_start() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "zendesk"))["access_token"])
        recent = await h.client.get(
            TICKETS, params={"start_time": int(NOW.timestamp()) - 30}, headers=auth
        )

    assert recent.status_code == 400
    assert recent.json()["error"] == "InvalidValue"


async def test_zendesk_export_allows_ten_requests_a_minute() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "zendesk"))["access_token"])
        params = {"start_time": int((NOW - timedelta(days=1)).timestamp())}
        answers = [await h.client.get(TICKETS, params=params, headers=auth) for _ in range(11)]
        h.clock.advance(timedelta(minutes=1))
        after_a_minute = await h.client.get(TICKETS, params=params, headers=auth)

    assert [a.status_code for a in answers] == [200] * 10 + [429]
    assert int(answers[-1].headers["retry-after"]) > 0
    assert after_a_minute.status_code == 200


async def test_zendesk_ticket_events_show_status_and_assignee_changes() -> None:
    async with running_sandbox() as h:
        auth = bearer((await connect(h.client, "zendesk"))["access_token"])
        start = int((NOW - timedelta(days=10)).timestamp())
        events = (
            await h.client.get(
                "/zendesk/api/v2/incremental/ticket_events.json",
                params={"start_time": start},
                headers=auth,
            )
        ).json()

    changes = [c for e in events["ticket_events"] for c in e["child_events"]]
    statuses = [c for c in changes if c["field_name"] == "status"]
    handovers = [c for c in changes if c["field_name"] == "assignee_id"]
    assert len(statuses) + len(handovers) == len(changes)
    assert any(c["previous_value"] is not None for c in statuses)
    assert handovers
    assert all(c["value"].isdigit() and c["previous_value"].isdigit() for c in handovers)


async def _jira(h: Harness) -> tuple[dict[str, str], str]:
    tokens = await connect(h.client, "jira")
    auth = bearer(tokens["access_token"])
    resources = (await h.client.get("/jira/oauth/token/accessible-resources", headers=auth)).json()
    return auth, resources[0]["id"]


async def test_jira_search_omits_next_page_token_on_the_last_page() -> None:
    async with running_sandbox() as h:
        auth, cloud = await _jira(h)
        url = f"/jira/ex/jira/{cloud}/rest/api/3/search/jql"
        jql = 'updated >= "2025-12-01 00:00" ORDER BY updated ASC'
        page = (
            await h.client.get(
                url, params={"jql": jql, "maxResults": 10, "fields": "status,updated"}, headers=auth
            )
        ).json()
        pages = [page]
        while "nextPageToken" in page:
            page = (
                await h.client.get(
                    url, params={"jql": jql, "nextPageToken": page["nextPageToken"]}, headers=auth
                )
            ).json()
            pages.append(page)
        removed = await h.client.get(
            f"/jira/ex/jira/{cloud}/rest/api/3/search", params={"jql": jql}, headers=auth
        )

    updated = [i["fields"]["updated"] for p in pages for i in p["issues"]]
    assert len(pages) > 1
    assert pages[-1]["isLast"] is True
    assert updated == sorted(updated)
    assert removed.status_code == 410


async def test_jira_reads_jql_dates_in_the_users_time_zone() -> None:
    async with running_sandbox() as h:
        auth, cloud = await _jira(h)
        me = (await h.client.get(f"/jira/ex/jira/{cloud}/rest/api/3/myself", headers=auth)).json()
        url = f"/jira/ex/jira/{cloud}/rest/api/3/search/jql"
        local = (
            await h.client.get(
                url,
                params={
                    "jql": 'updated >= "2026-01-05 00:00"',
                    "maxResults": 100,
                    "fields": "updated",
                },
                headers=auth,
            )
        ).json()

    assert me["timeZone"] == "Europe/Amsterdam"
    # Midnight in Amsterdam is 23:00 UTC the day before: an issue updated at 23:30 UTC counts.
    assert all(i["fields"]["updated"] >= "2026-01-04T23:00:00.000+0000" for i in local["issues"])


async def test_jira_changelog_lists_status_transitions() -> None:
    async with running_sandbox() as h:
        auth, cloud = await _jira(h)
        log = (
            await h.client.get(
                f"/jira/ex/jira/{cloud}/rest/api/3/issue/ENG-1/changelog", headers=auth
            )
        ).json()
        bad_token = await h.client.get(
            f"/jira/ex/jira/{cloud}/rest/api/3/search/jql",
            params={"jql": "project = ENG", "nextPageToken": "nope"},
            headers=auth,
        )

    assert log["values"]
    assert {item["field"] for v in log["values"] for item in v["items"]} == {"status"}
    assert log["values"][0]["items"][0]["fromString"] == "To Do"
    assert bad_token.status_code == 400
