"""The same people across providers, and canaries in every content field the APIs return."""

from __future__ import annotations

from tests.factories.sandbox import access_token, bearer, connect, running_sandbox


async def test_one_customer_contact_appears_in_crm_mail_calendar_and_chat() -> None:
    async with running_sandbox() as h:
        contact = h.sandbox.dataset.contacts_of(0)[0].email  # a key account's contact
        google = bearer((await connect(h.client, "google"))["access_token"])
        salesforce = bearer((await connect(h.client, "salesforce"))["access_token"])
        hubspot = bearer((await connect(h.client, "hubspot"))["access_token"])
        slack = bearer(access_token("slack", await connect(h.client, "slack")))
        sf = (
            await h.client.get(
                "/salesforce/services/data/v62.0/query",
                params={"q": f"SELECT Id, Email FROM Contact WHERE Email = '{contact}'"},
                headers=salesforce,
            )
        ).json()
        hs = (
            await h.client.post(
                "/hubspot/crm/v3/objects/contacts/search",
                json={
                    "filterGroups": [
                        {"filters": [{"propertyName": "email", "operator": "EQ", "value": contact}]}
                    ]
                },
                headers=hubspot,
            )
        ).json()
        ids = (
            await h.client.get(
                "/google/gmail/v1/users/me/messages", params={"maxResults": 500}, headers=google
            )
        ).json()["messages"]
        headers = []
        for ref in ids[:200]:
            message = (
                await h.client.get(
                    f"/google/gmail/v1/users/me/messages/{ref['id']}",
                    params={"format": "metadata"},
                    headers=google,
                )
            ).json()
            headers += [
                x["value"]
                for x in message["payload"]["headers"]
                if x["name"] in ("From", "To", "Cc")
            ]
        events = (
            await h.client.get(
                "/google/calendar/v3/calendars/primary/events",
                params={"maxResults": 2500, "singleEvents": "true"},
                headers=google,
            )
        ).json()["items"]
        members = (
            await h.client.get("/slack/api/users.list", params={"limit": 1000}, headers=slack)
        ).json()["members"]

    assert sf["totalSize"] == 1
    assert hs["total"] == 1
    assert any(contact in value for value in headers)
    assert any(a["email"] == contact for e in events for a in e.get("attendees", []))
    assert any(m["profile"].get("email") == contact for m in members)


async def test_canaries_are_present_in_every_emulated_content_field() -> None:
    async with running_sandbox() as h:
        google = bearer((await connect(h.client, "google"))["access_token"])
        zendesk = bearer((await connect(h.client, "zendesk"))["access_token"])
        jira = bearer((await connect(h.client, "jira"))["access_token"])
        hubspot = bearer((await connect(h.client, "hubspot"))["access_token"])
        salesforce = bearer((await connect(h.client, "salesforce"))["access_token"])
        slack = bearer(access_token("slack", await connect(h.client, "slack")))
        ref = (await h.client.get("/google/gmail/v1/users/me/messages", headers=google)).json()[
            "messages"
        ][0]
        mail = (
            await h.client.get(
                f"/google/gmail/v1/users/me/messages/{ref['id']}",
                params={"format": "metadata"},
                headers=google,
            )
        ).json()
        event = (
            await h.client.get("/google/calendar/v3/calendars/primary/events", headers=google)
        ).json()["items"][0]
        ticket = (
            await h.client.get(
                "/zendesk/api/v2/incremental/tickets/cursor.json",
                params={"start_time": 1756684800},
                headers=zendesk,
            )
        ).json()["tickets"][0]
        cloud = (await h.client.get("/jira/oauth/token/accessible-resources", headers=jira)).json()[
            0
        ]["id"]
        issue = (
            await h.client.get(
                f"/jira/ex/jira/{cloud}/rest/api/3/search/jql",
                params={"jql": "project = ENG"},
                headers=jira,
            )
        ).json()["issues"][0]
        email = (
            await h.client.post(
                "/hubspot/crm/v3/objects/emails/search",
                json={"properties": ["hs_email_subject", "hs_email_text"]},
                headers=hubspot,
            )
        ).json()["results"][0]
        task = (
            await h.client.get(
                "/salesforce/services/data/v62.0/query",
                params={"q": "SELECT Subject, Description FROM Task LIMIT 1"},
                headers=salesforce,
            )
        ).json()["records"][0]
        listing = (await h.client.get("/slack/api/conversations.list", headers=slack)).json()
        channel = listing["channels"][0]["id"]
        message = (
            await h.client.get(
                "/slack/api/conversations.history", params={"channel": channel}, headers=slack
            )
        ).json()["messages"][0]
        listed = (await h.client.get("/_control/dataset")).json()

    subject = next(x["value"] for x in mail["payload"]["headers"] if x["name"] == "Subject")
    contents = [
        subject,
        mail["snippet"],
        event["summary"],
        event["description"],
        ticket["subject"],
        ticket["description"],
        issue["fields"]["summary"],
        issue["fields"]["description"]["content"][0]["content"][0]["text"],
        email["properties"]["hs_email_subject"],
        email["properties"]["hs_email_text"],
        task["Subject"],
        task["Description"],
        message["text"],
        listing["channels"][0]["purpose"]["value"],
        listing["channels"][0]["topic"]["value"],
    ]
    known = set(listed["canaries"])
    for content in contents:
        marker = content[content.index("[ATLAS-CANARY-") + 1 : -1]
        assert marker in known
