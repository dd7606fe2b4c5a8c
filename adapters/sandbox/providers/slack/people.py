"""Slack Web API reads about people and links: the member directory and permalinks."""

from __future__ import annotations

from typing import Any

from adapters.sandbox.oauth.model import Family
from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.providers.slack.api import Result, limit, needs, page
from adapters.sandbox.providers.slack.profile import TEAM_ID, SlackProfile, slack_error
from adapters.sandbox.sandbox import Sandbox
from adapters.sandbox.seed.model import Person

WORKSPACE = "https://northwind-sandbox.slack.com"
UPDATED = 1_735_689_600  # when a member's profile last changed (2025-01-01): before all data


def users_list(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    needs(family, "users:read")
    members = list(sandbox.dataset.slack_members)
    chosen, cursor = page(sandbox, family, "users", params, members, size=limit(params, 100, 1000))
    with_email = "users:read.email" in family.scopes
    return {
        "members": [_member(p, with_email) for p in chosen],
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


def users_info(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> Result:
    needs(family, "users:read")
    for p in sandbox.dataset.slack_members:
        if slack_id("U", p.key) == params.get("user"):
            return {"user": _member(p, "users:read.email" in family.scopes)}
    return slack_error("user_not_found")


def _member(p: Person, with_email: bool) -> dict[str, Any]:
    # The fields the spec's user profile requires; the ones the seed has no value for are empty.
    profile_: dict[str, Any] = {
        "real_name": p.name,
        "real_name_normalized": p.name,
        "display_name": p.first,
        "display_name_normalized": p.first,
        "title": p.title,
        "avatar_hash": "",
        "phone": "",
        "skype": "",
        "status_text": "",
        "status_emoji": "",
        "fields": {},
    }
    if with_email:
        profile_["email"] = p.email
    return {
        "id": slack_id("U", p.key),
        "team_id": TEAM_ID,
        "name": p.email.split("@")[0],
        "deleted": False,
        "real_name": p.name,
        "tz": p.timezone,
        "is_bot": False,
        "is_restricted": not p.internal,
        "is_ultra_restricted": not p.internal,
        "is_app_user": False,
        "updated": UPDATED,
        "profile": profile_,
    }
