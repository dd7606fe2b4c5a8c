"""The provider catalog: endpoints, minimal read-only scopes, PKCE, token behaviour, limits.

Facts come from ``reference/providers.md``; change that file in the same change as this one.
URLs are the real providers'. A provider belongs to an OAuth *platform* (one app registration,
one callback): Gmail and Google Calendar are two grants of the one Google platform.
``ProviderSpec.at(base)`` re-roots every endpoint under ``base/<platform>`` (the sandbox's
layout) and ``rooted(root)`` directly under ``root``; both keep each endpoint's path, so the
same connector talks to the real provider or to the sandbox.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

import msgspec

TokenAuth = Literal["client_secret_post", "client_secret_basic"]
# How a grant is given back: the token in a form body (RFC 7009, optionally with the client's
# credentials), or the access token as a bearer on a POST (Slack) or a DELETE (Zendesk).
Revocation = Literal["form_token", "form_token_client", "bearer_post", "bearer_delete"]

SUBDOMAIN_PLACEHOLDER = "{subdomain}"
_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")


class TokenBehaviour(msgspec.Struct, frozen=True, kw_only=True):
    access_ttl_seconds: int | None  # None: the token response has no expires_in (Salesforce)
    rotates_refresh_token: bool
    reuse_grace_seconds: int = 0  # how long a rotated refresh token still works (Jira: 600)
    refresh_omits_refresh_token: bool = False  # keep the stored one (Google)


class ProviderSpec(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    platform: str  # the OAuth app: its client registration, callback and sandbox prefix
    name: str
    authorize_url: str
    token_url: str
    revoke_url: str | None
    revocation: Revocation | None = None
    introspect_url: str | None = None  # where an access token's expiry is read (Salesforce)
    account_url: str | None = None  # where the connected account is read (Jira's sites)
    api_base: str
    scopes: tuple[str, ...]
    scope_separator: str = " "
    scope_parameter: str = "scope"
    pkce: bool
    authorize_params: Mapping[str, str] = msgspec.field(default_factory=dict)
    token_auth: TokenAuth = "client_secret_post"
    issuer: str | None = None  # RFC 9207: the iss the provider sends on the callback
    tokens: TokenBehaviour
    rate_limits: str
    reads: str
    never_stores: str
    revocation_note: str | None = None  # what the person must do when Atlas cannot revoke
    # One person's own mailbox or calendar, not the company's system: its records belong to
    # the member who connected it, and leave with them.
    personal: bool = False

    @property
    def needs_subdomain(self) -> bool:
        """The customer's own host (Zendesk): asked for at connect time."""
        return SUBDOMAIN_PLACEHOLDER in self.authorize_url

    def at(self, base: str) -> ProviderSpec:
        """The same provider with every endpoint under ``base/<platform>`` (paths kept)."""
        return self.rooted(base.rstrip("/") + "/" + self.platform)

    def rooted(self, root: str) -> ProviderSpec:
        """The same provider with every endpoint under ``root`` (paths kept).

        The issuer is an identifier, not an endpoint: it stays what the provider says it is.
        """
        root = root.rstrip("/")

        def move(url: str | None) -> str | None:
            if url is None:
                return None
            parts = urlsplit(url)
            return root + parts.path + (f"?{parts.query}" if parts.query else "")

        return msgspec.structs.replace(
            self,
            authorize_url=move(self.authorize_url) or "",
            token_url=move(self.token_url) or "",
            revoke_url=move(self.revoke_url),
            introspect_url=move(self.introspect_url),
            account_url=move(self.account_url),
            api_base=move(self.api_base) or "",
        )

    def for_subdomain(self, subdomain: str | None) -> ProviderSpec:
        """The endpoints of one customer's account; a no-op where the host is fixed."""
        if not self.needs_subdomain:
            return self
        if subdomain is None or not valid_subdomain(subdomain):
            raise ValueError("a subdomain is 1-63 lowercase letters, digits or hyphens")

        def place(url: str | None) -> str | None:
            return None if url is None else url.replace(SUBDOMAIN_PLACEHOLDER, subdomain)

        return msgspec.structs.replace(
            self,
            authorize_url=place(self.authorize_url) or "",
            token_url=place(self.token_url) or "",
            revoke_url=place(self.revoke_url),
            api_base=place(self.api_base) or "",
        )


def valid_subdomain(value: str) -> bool:
    return bool(_SUBDOMAIN.fullmatch(value))
