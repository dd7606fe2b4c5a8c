"""Slack's endpoints: OAuth v2 and the Web API methods Atlas reads, each at ``/api/<method>``."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from litestar import Request, Response, Router, route

from adapters.sandbox.bearer import authorized
from adapters.sandbox.oauth.model import Family
from adapters.sandbox.oauth.routes import oauth_handlers
from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.providers.slack import api, people
from adapters.sandbox.providers.slack.profile import TEAM_ID, SlackProfile, slack_error
from adapters.sandbox.reply import ProviderError, Reply
from adapters.sandbox.sandbox import Sandbox

AnyRequest = Request[Any, Any, Any]


async def _params(request: AnyRequest) -> dict[str, str]:
    values = dict(request.query_params)
    if request.method == "POST" and request.headers.get("content-type", "").startswith(
        "application/x-www-form-urlencoded"
    ):
        values.update(parse_qsl((await request.body()).decode()))
    if "token" in values:
        # Tokens travel in the Authorization header; a token parameter would end up in logs.
        raise ProviderError(slack_error("invalid_arguments"))
    return values


def build(sandbox: Sandbox) -> tuple[SlackProfile, Router]:
    def user_id(email: str) -> str:
        person = sandbox.dataset.person(email)
        return slack_id("U", person.key if person else 0)

    profile = SlackProfile("Northwind Analytics", user_id)
    handlers = oauth_handlers(
        sandbox, profile, authorize="/oauth/v2/authorize", token_path="/api/oauth.v2.access"
    )

    def method(name: str, handler: Any) -> Any:
        @route(
            f"/api/{name}",
            http_method=["GET", "POST"],
            include_in_schema=False,
            name=f"slack-{name}",
        )
        async def call(request: AnyRequest) -> Response[bytes]:
            params = await _params(request)
            family = authorized(sandbox, profile, request)
            body = handler(sandbox, profile, family, params)
            return (
                body if isinstance(body, Reply) else Reply(status=200, body={"ok": True, **body})
            ).to_response()

        return call

    methods = [
        method("auth.test", _auth_test),
        method("auth.revoke", _auth_revoke),
        method("conversations.list", api.conversations_list),
        method("conversations.history", api.conversations_history),
        method("conversations.replies", api.conversations_replies),
        method("conversations.info", api.conversations_info),
        method("users.list", people.users_list),
        method("users.info", people.users_info),
        method("chat.getPermalink", people.permalink),
    ]
    return profile, Router(path="/slack", route_handlers=[*handlers, *methods])


def _auth_test(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> dict[str, Any]:
    body = {
        "url": people.WORKSPACE + "/",
        "team": "Northwind Analytics",
        "team_id": TEAM_ID,
    }
    person = sandbox.dataset.person(family.subject)
    body.update(
        user=person.first.lower() if person else "",
        user_id=slack_id("U", person.key if person else 0),
    )
    if family.kind == "bot":
        body["bot_id"] = slack_id("B", 0)
    return body


def _auth_revoke(
    sandbox: Sandbox, profile: SlackProfile, family: Family, params: dict[str, str]
) -> dict[str, Any]:
    sandbox.stats.count("slack", family.client_id, "revocation_calls")
    if params.get("test") in ("1", "true"):
        return {"revoked": False}
    # The calling token's whole grant goes: its access tokens and, under rotation, its refresh.
    sandbox.tokens.revoke_family(family.id, "auth.revoke")
    sandbox.stats.count("slack", family.client_id, "tokens_revoked")
    return {"revoked": True}
