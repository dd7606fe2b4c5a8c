"""Access tokens for the in-process harness: random strings mapped to actors, no crypto."""

from __future__ import annotations

import secrets

from application.identity.ports import AccessTokenVerifier
from application.shared.actor import Actor
from domain.identity.errors import InvalidAccessToken


class FakeAccessTokens(AccessTokenVerifier):
    def __init__(self) -> None:
        self._issued: dict[str, Actor] = {}

    def issue(self, actor: Actor) -> str:
        token = secrets.token_urlsafe(16)
        self._issued[token] = actor
        return token

    def revoke(self, token: str) -> None:
        self._issued.pop(token, None)

    def verify(self, token: str) -> Actor:
        actor = self._issued.get(token)
        if actor is None:
            raise InvalidAccessToken()
        return actor
