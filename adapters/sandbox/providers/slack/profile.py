"""Slack's authorization server: comma-separated scopes, bot and user tokens, errors as 200s."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

from adapters.sandbox.config import ClientRegistration, Provider
from adapters.sandbox.oauth.model import CodeRecord, Family, Issued, RefreshPolicy
from adapters.sandbox.oauth.profile import Profile, TokenContext
from adapters.sandbox.oauth.refusal import BearerReason, Reason, Refused
from adapters.sandbox.oauth.store import TokenStore
from adapters.sandbox.providers.ids import slack_id
from adapters.sandbox.reply import Reply

TEAM_ID = slack_id("T", 0)
APP_ID = slack_id("A", 0)
BOT_USER = slack_id("U", 999_999)
ROTATED_TTL = timedelta(hours=12)


def slack_error(error: str, **extra: Any) -> Reply:
    # Slack reports failures inside a 200 answer; only throttling and outages change the status.
    return Reply(status=200, body={"ok": False, "error": error, **extra})


class SlackProfile(Profile):
    name: ClassVar[Provider] = "slack"
    title = "Slack"
    scope_separator = ","
    scopes: ClassVar[dict[str, str]] = {
        "channels:read": "View basic information about public channels",
        "groups:read": "View basic information about private channels",
        "im:read": "View basic information about direct messages",
        "mpim:read": "View basic information about group direct messages",
        "channels:history": "View messages in public channels",
        "groups:history": "View messages in private channels",
        "im:history": "View messages in direct messages",
        "mpim:history": "View messages in group direct messages",
        "users:read": "View people in the workspace",
        "users:read.email": "View email addresses of people in the workspace",
        "team:read": "View the workspace's name, domain and icon",
    }

    def __init__(self, team_name: str, user_id: Any) -> None:
        self._team_name, self._user_id = team_name, user_id

    def parse_scopes(self, params: Mapping[str, str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        def split(value: str) -> tuple[str, ...]:
            return tuple(dict.fromkeys(s.strip() for s in value.split(",") if s.strip()))

        return split(params.get("scope", "")), split(params.get("user_scope", ""))

    def policy(self, registration: ClientRegistration) -> RefreshPolicy:
        # With rotation every refresh token is single-use; a reused one takes the family down.
        return RefreshPolicy(rotate=True, reuse_revokes_family=True)

    def access_ttl(self, params: Mapping[str, str]) -> timedelta:
        return ROTATED_TTL

    def mint_code(self) -> str:
        return f"{secrets.randbelow(10**12)}.{secrets.randbelow(10**12)}.{secrets.token_hex(32)}"

    def mint_access(self, family: Family) -> str:
        # Only rotated grants are ever refreshed, so a minted-on-refresh token is an xoxe one.
        return self._access(family, rotated=True)

    def mint_refresh(self, family: Family) -> str:
        return "xoxe-1-" + secrets.token_hex(70)

    def _access(self, family: Family, *, rotated: bool) -> str:
        kind = "xoxb" if family.kind == "bot" else "xoxp"
        if rotated:
            return f"xoxe.{kind}-1-" + secrets.token_hex(70)
        return (
            f"{kind}-{secrets.randbelow(10**12)}-{secrets.randbelow(10**12)}-"
            + secrets.token_hex(12)
        )

    def exchange(self, tokens: TokenStore, code: CodeRecord, ctx: TokenContext) -> list[Issued]:
        rotated = ctx.registration.rotate_refresh_tokens
        issued = []
        for kind, scopes in (("bot", code.granted), ("user", code.granted_user)):
            if not scopes:
                continue
            family = tokens.open_family(code, scopes=scopes, kind=kind)
            issued.append(
                tokens.issue(
                    family,
                    access=self._access(family, rotated=rotated),
                    access_ttl=ROTATED_TTL if rotated else None,  # unrotated tokens never expire
                    refresh=self.mint_refresh(family) if rotated else None,
                )
            )
        if not issued:
            raise Refused(Reason.CODE_UNKNOWN, "no scope was granted")
        return issued

    def token_body(self, issued: list[Issued], ctx: TokenContext) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": True, "app_id": APP_ID}
        for grant in issued:
            tokens = self._tokens(grant)
            if grant.family.kind == "user":
                body["authed_user"] = {"id": self._user_id(grant.family.subject), **tokens}
            else:
                body.update(tokens, bot_user_id=BOT_USER)
        body.setdefault("authed_user", {"id": self._user_id(issued[0].family.subject)})
        body.update(team=self._team(), enterprise=None, is_enterprise_install=False)
        return body

    def refresh_body(self, issued: Issued, ctx: TokenContext) -> dict[str, Any]:
        return {
            "ok": True,
            "app_id": APP_ID,
            **self._tokens(issued),
            "team": self._team(),
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _tokens(self, grant: Issued) -> dict[str, Any]:
        out: dict[str, Any] = {
            "scope": ",".join(grant.family.scopes),
            "token_type": grant.family.kind,
            "access_token": grant.access_token,
        }
        if grant.refresh_token is not None:
            out.update(refresh_token=grant.refresh_token, expires_in=grant.expires_in)
        return out

    def _team(self) -> dict[str, str]:
        return {"id": TEAM_ID, "name": self._team_name}

    def token_error(self, refused: Refused) -> Reply:
        return slack_error(_ERRORS.get(refused.reason, "invalid_code"))

    def bearer_error(self, reason: BearerReason, needed: str = "") -> Reply:
        if reason is BearerReason.SCOPE:
            return slack_error("missing_scope", needed=needed, provided="")
        codes = {
            BearerReason.MISSING: "not_authed",
            BearerReason.UNKNOWN: "invalid_auth",
            BearerReason.EXPIRED: "token_expired",
            BearerReason.REVOKED: "token_revoked",
        }
        return slack_error(codes[reason])

    def throttled(self, retry_after: str) -> Reply:
        return Reply(
            status=429,
            body={"ok": False, "error": "ratelimited"},
            headers=(("Retry-After", retry_after),),
        )

    def server_error(self, status: int, retry_after: str | None) -> Reply:
        headers = (("Retry-After", retry_after),) if retry_after else ()
        return Reply(status=status, body={"ok": False, "error": "fatal_error"}, headers=headers)


_ERRORS = {
    Reason.UNKNOWN_CLIENT: "invalid_client_id",
    Reason.BAD_SECRET: "bad_client_secret",
    Reason.REDIRECT_MISMATCH: "bad_redirect_uri",
    Reason.UNSUPPORTED_GRANT: "invalid_grant_type",
    Reason.INVALID_REQUEST: "invalid_arguments",
    Reason.PARAMS_IN_QUERY: "invalid_arguments",
    Reason.REFRESH_UNKNOWN: "invalid_refresh_token",
    Reason.REFRESH_EXPIRED: "invalid_refresh_token",
    Reason.REFRESH_REVOKED: "invalid_refresh_token",
    Reason.REFRESH_REUSED: "invalid_refresh_token",
    Reason.REFRESH_OTHER_CLIENT: "invalid_refresh_token",
}
