"""What a provider's token endpoint hands back, in one shape for every provider."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from domain.integrations.connection import GrantedAccount
from domain.shared.secret import Secret
from domain.vault.oauth import OAuthTokens


class TokenGrant(msgspec.Struct, frozen=True, kw_only=True):
    access_token: Secret[str]
    refresh_token: Secret[str] | None = None  # None: keep the stored one (never write null)
    expires_in: int | None = None
    expires_at: datetime | None = None  # from introspection (Salesforce); wins over expires_in
    scopes: tuple[str, ...] | None = None  # None: the response did not say
    external_account: str | None = None
    instance_url: str | None = None

    def tokens(self, now: datetime, previous: OAuthTokens | None = None) -> OAuthTokens:
        """The tokens to store: a rotated refresh token, or else the one we had (rule 4)."""
        expires_at = self.expires_at
        if expires_at is None and self.expires_in is not None:
            expires_at = now + timedelta(seconds=max(0, self.expires_in))
        kept = previous.refresh_token if previous is not None else None
        return OAuthTokens(
            access_token=self.access_token,
            refresh_token=self.refresh_token or kept,
            expires_at=expires_at,
        )

    def account(self, requested: tuple[str, ...]) -> GrantedAccount:
        return GrantedAccount(
            scopes=self.scopes if self.scopes is not None else requested,
            external_account=self.external_account,
            instance_url=self.instance_url,
        )

    def __repr__(self) -> str:
        return f"TokenGrant(expires_in={self.expires_in}, scopes={self.scopes})"
