"""Public, unauthenticated facts: ``/.well-known/security.txt`` and the trust page's JSON."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Router, get
from litestar.di import NamedDependency, Provide
from litestar.enums import MediaType

from entrypoints.container import Application
from entrypoints.http.di import provide
from entrypoints.http.security import CACHE_KEY
from entrypoints.trust import TrustPage, security_txt, trust_page

# Public and the same for everyone until the configuration changes: shared caches may keep it
# an hour, which also spares the process a crowd of readers.
CACHEABLE = "public, max-age=3600"
# Litestar's signature model cannot check Settings or the ports (Protocols): injected as Any,
# they are the Settings, the PasswordHasher and the KeyRing trust_page() takes.


def _cacheable(request: Request[Any, Any, Any]) -> None:
    request.scope.setdefault("state", {})[CACHE_KEY] = CACHEABLE


class SecurityTxtController(Controller):
    path = "/.well-known"
    include_in_schema = False  # a file for people and scanners, not part of the API

    @get("/security.txt", media_type=MediaType.TEXT)
    async def security_txt(
        self, request: Request[Any, Any, Any], settings: NamedDependency[Any]
    ) -> str:
        _cacheable(request)
        return security_txt(settings)


class TrustController(Controller):
    path = "/api/v1/trust"
    tags = ["Trust"]

    @get("/", summary="Where data is kept, how it is protected, who processes it")
    async def trust(
        self,
        request: Request[Any, Any, Any],
        settings: NamedDependency[Any],
        password_hasher: NamedDependency[Any],
        keyring: NamedDependency[Any],
    ) -> TrustPage:
        """Read from the running configuration: the region, the vault's algorithm and the KDF
        parameters of the key version sealing new values, TLS floors, password hashing, token
        lifetimes, and the subprocessors. No sign-in needed."""
        _cacheable(request)
        return await trust_page(settings, password_hasher, keyring)


def routes(container: Application) -> Router:
    settings = container.settings()
    return Router(
        path="/",
        route_handlers=[SecurityTxtController, TrustController],
        dependencies={
            "settings": Provide(lambda: settings, sync_to_thread=False),
            "password_hasher": provide(container.adapters.password_hasher),
            "keyring": provide(container.adapters.keyring),
        },
    )
