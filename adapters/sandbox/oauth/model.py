"""What the authorization server remembers: pending consents, codes, token families, tokens."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import msgspec

from adapters.sandbox.config import Provider


class AuthorizationRequest(msgspec.Struct, frozen=True, kw_only=True):
    """A validated authorization request, waiting for the person's decision."""

    provider: Provider
    client_id: str
    redirect_uri: str
    scopes: tuple[str, ...]
    user_scopes: tuple[str, ...] = ()  # Slack asks for bot and user scopes separately
    state: str | None
    code_challenge: str | None
    subject: str  # the signed-in person (an email of the seeded company)
    # Provider-specific parameters a later step needs (Google's access_type and prompt).
    extras: tuple[tuple[str, str], ...] = ()

    def parameter(self, name: str) -> str | None:
        return dict(self.extras).get(name)


class RefreshPolicy(msgspec.Struct, frozen=True, kw_only=True):
    """How a provider treats a refresh token once it has been used."""

    rotate: bool = False
    # A rotated token still works for this long (Atlassian: 10 minutes), then reuse is theft.
    reuse_grace: timedelta | None = None
    reuse_revokes_family: bool = False
    # Zendesk deletes the old access and refresh tokens when it hands out a new pair.
    delete_old_pair: bool = False
    idle_ttl: timedelta | None = None
    absolute_ttl: timedelta | None = None


@dataclass
class Family:
    """Every token descended from one authorization (one per token type for Slack)."""

    id: str
    provider: Provider
    client_id: str
    subject: str
    scopes: tuple[str, ...]
    kind: str
    created_at: datetime
    revoked_at: datetime | None = None
    revoked_reason: str | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass
class CodeRecord:
    request: AuthorizationRequest
    granted: tuple[str, ...]
    granted_user: tuple[str, ...]
    expires_at: datetime
    redeemed: bool = False
    replayed: bool = False
    families: list[str] = field(default_factory=list)


@dataclass
class RefreshRecord:
    family_id: str
    issued_at: datetime
    last_used_at: datetime
    expires_at: datetime | None = None
    rotated_at: datetime | None = None


@dataclass
class AccessRecord:
    family_id: str
    issued_at: datetime
    expires_at: datetime | None
    refresh_digest: str | None
    revoked: bool = False


class Issued(msgspec.Struct, frozen=True, kw_only=True):
    """What one token response hands out; ``refresh_token`` is None when none was issued."""

    family: Family
    access_token: str
    refresh_token: str | None
    expires_in: int | None
    refresh_expires_in: int | None = None
    refreshed: bool = False
