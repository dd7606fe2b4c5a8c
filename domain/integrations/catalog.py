"""The provider catalog: endpoints, minimal read-only scopes, PKCE, token behaviour, limits.

Facts come from ``reference/providers.md``; change that file in the same change as this one.
URLs are the real providers'; ``ProviderSpec.at(base)`` re-roots every endpoint under another
origin (the sandbox) while keeping its path, so the same connector talks to either.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

import msgspec

TokenAuth = Literal["client_secret_post", "client_secret_basic"]


class TokenBehaviour(msgspec.Struct, frozen=True, kw_only=True):
    access_ttl_seconds: int | None  # None: the token response has no expires_in (Salesforce)
    rotates_refresh_token: bool
    reuse_grace_seconds: int = 0  # how long a rotated refresh token still works (Jira: 600)
    refresh_omits_refresh_token: bool = False  # keep the stored one (Google)


class ProviderSpec(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    name: str
    authorize_url: str
    token_url: str
    revoke_url: str | None
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

    def at(self, base: str) -> ProviderSpec:
        """The same provider with every endpoint under ``base/<key>`` (paths kept)."""
        root = base.rstrip("/") + "/" + self.key

        def move(url: str) -> str:
            parts = urlsplit(url)
            return root + parts.path + (f"?{parts.query}" if parts.query else "")

        return msgspec.structs.replace(
            self,
            authorize_url=move(self.authorize_url),
            token_url=move(self.token_url),
            revoke_url=move(self.revoke_url) if self.revoke_url else None,
            api_base=move(self.api_base),
            issuer=move(self.issuer) if self.issuer else None,
        )
