"""``/.well-known/jwks.json``: the public keys that verify Atlas access tokens."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Router, get
from litestar.di import NamedDependency
from msgspec import Struct

from adapters.crypto.jwt_tokens import JwtAccessTokens
from entrypoints.container import Application
from entrypoints.http.di import provide


class JsonWebKeySet(Struct, frozen=True, kw_only=True):
    keys: list[dict[str, str]]


class JwksController(Controller):
    path = "/.well-known"
    tags = ["Operations"]

    @get("/jwks.json")
    async def jwks(self, access_tokens: NamedDependency[Any]) -> JsonWebKeySet:
        """Every key that still verifies tokens (retired keys are gone from here)."""
        if not isinstance(access_tokens, JwtAccessTokens):
            return JsonWebKeySet(keys=[])  # the in-process harness signs nothing
        return JsonWebKeySet(keys=access_tokens.keyring().public_jwks())


def routes(container: Application) -> Router:
    return Router(
        path="/",
        route_handlers=[JwksController],
        dependencies={"access_tokens": provide(container.adapters.access_tokens)},
    )
