"""Access tokens for the in-process harness: random strings mapped to actors, no crypto."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

from application.identity.ports import AccessTokenIssuer, AccessTokenVerifier, IssuedAccessToken
from application.shared.actor import Actor
from application.shared.ports import Clock
from domain.identity.errors import InvalidAccessToken
from domain.shared.secret import Secret


class FakeAccessTokens(AccessTokenVerifier, AccessTokenIssuer):
    def __init__(self, clock: Clock | None = None, lifetime: timedelta = timedelta(minutes=10)):
        self._issued: dict[str, tuple[Actor, datetime]] = {}
        self._clock, self._lifetime = clock, lifetime

    def _now(self) -> datetime:
        return self._clock.now() if self._clock is not None else datetime.now(UTC)

    def issue(self, actor: Actor) -> str:
        return self.mint(actor).token.reveal()

    def mint(self, actor: Actor) -> IssuedAccessToken:
        token = secrets.token_urlsafe(16)
        expires_at = self._now() + self._lifetime
        self._issued[token] = (actor, expires_at)
        return IssuedAccessToken(token=Secret(token), expires_at=expires_at)

    def revoke(self, token: str) -> None:
        self._issued.pop(token, None)

    def verify(self, token: str) -> Actor:
        issued = self._issued.get(token)
        if issued is None or self._now() >= issued[1]:
            raise InvalidAccessToken()
        return issued[0]

    def expires_at(self, token: str) -> datetime:
        issued = self._issued.get(token)
        if issued is None:
            raise InvalidAccessToken()
        return issued[1]
