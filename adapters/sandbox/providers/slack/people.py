"""Slack Web API reads about people and links: the member directory and permalinks."""

from __future__ import annotations

from adapters.sandbox.oauth.model import Family
from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.providers.slack.api import Result, limit, needs, page
from adapters.sandbox.providers.slack.profile import TEAM_ID, SlackProfile, slack_error
from adapters.sandbox.sandbox import Sandbox

WORKSPACE = "https://northwind-sandbox.slack.com"


def users_list(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    needs(family, "users:read")
    members = list(sandbox.dataset.slack_members)
    chosen, cursor = page(sandbox, family, "users", params, members, size=limit(params, 100, 1000))
    with_email = "users:read.email" in family.scopes
    out = []
    for p in chosen:
        profile_ = {"real_name": p.name, "display_name": p.first, "title": p.title}
        if with_email:
            profile_["email"] = p.email
        out.append(
            {
                "id": slack_id("U", p.key),
                "team_id": TEAM_ID,
                "name": p.email.split("@")[0],
                "deleted": False,
                "real_name": p.name,
                "tz": p.timezone,
                "is_bot": False,
                "is_restricted": not p.internal,
                "is_ultra_restricted": not p.internal,
                "profile": profile_,
            }
        )
    return {
        "members": out,
        "cache_ts": int(sandbox.clock.now().timestamp()),
        "response_metadata": {"next_cursor": cursor},
    }


def permalink(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    channel = params.get("channel", "")
    stamp = params.get("message_ts", "")
    if not channel or not stamp:
        return slack_error("invalid_arguments")
    return {
        "channel": channel,
        "permalink": f"{WORKSPACE}/archives/{channel}/p{stamp.replace('.', '')}",
    }
