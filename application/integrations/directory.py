"""The providers as this deployment reaches them: endpoints, OAuth client, redirect URI."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from domain.integrations.catalog import ProviderSpec, valid_subdomain
from domain.integrations.errors import (
    InvalidSubdomain,
    ProviderNotConfigured,
    SubdomainRequired,
    UnknownProvider,
)
from domain.shared.secret import Secret


class OAuthClientCredentials(msgspec.Struct, frozen=True, kw_only=True):
    client_id: str
    client_secret: Secret[str]


class Provider(msgspec.Struct, frozen=True, kw_only=True):
    """One provider, ready to call: its endpoints here, our client there, our callback."""

    spec: ProviderSpec
    client: OAuthClientCredentials
    redirect_uri: str
    subdomain: str | None = None

    @property
    def key(self) -> str:
        return self.spec.key


class ProviderListing(msgspec.Struct, frozen=True, kw_only=True):
    spec: ProviderSpec
    available: bool  # an OAuth client is configured for its platform
    needs_subdomain: bool


class ProviderDirectory:
    """Built once from settings. ``sandbox_base`` re-roots every platform under
    ``<base>/<platform>``; ``roots`` re-roots single platforms (paths kept)."""

    def __init__(
        self,
        catalog: Mapping[str, ProviderSpec],
        *,
        clients: Mapping[str, OAuthClientCredentials],
        callback_template: str,
        sandbox_base: str | None = None,
        roots: Mapping[str, str] | None = None,
    ) -> None:
        self._catalog, self._clients = dict(catalog), dict(clients)
        self._callback = callback_template
        self._sandbox_base, self._roots = sandbox_base, dict(roots or {})

    def _placed(self, spec: ProviderSpec) -> ProviderSpec:
        if spec.platform in self._roots:
            return spec.rooted(self._roots[spec.platform])
        return spec.at(self._sandbox_base) if self._sandbox_base else spec

    def spec(self, key: str) -> ProviderSpec:
        spec = self._catalog.get(key)
        if spec is None:
            raise UnknownProvider(provider=key[:40])
        return spec

    def listing(self) -> list[ProviderListing]:
        return [
            ProviderListing(
                spec=spec,
                available=spec.platform in self._clients,
                needs_subdomain=self._placed(spec).needs_subdomain,
            )
            for spec in self._catalog.values()
        ]

    def placed(self, key: str, subdomain: str | None = None) -> ProviderSpec:
        """The provider's endpoints as reached from here (no OAuth client needed)."""
        placed = self._placed(self.spec(key))
        if placed.needs_subdomain and subdomain is not None and valid_subdomain(subdomain):
            return placed.for_subdomain(subdomain)
        return placed

    def redirect_uri(self, platform: str) -> str:
        return self._callback.format(platform=platform)

    def resolve(self, key: str, subdomain: str | None = None) -> Provider:
        """Raises UnknownProvider, ProviderNotConfigured, SubdomainRequired, InvalidSubdomain."""
        spec = self.spec(key)
        client = self._clients.get(spec.platform)
        if client is None:
            raise ProviderNotConfigured(provider=key)
        placed = self._placed(spec)
        if subdomain is not None and not valid_subdomain(subdomain):
            raise InvalidSubdomain()
        if placed.needs_subdomain:
            if subdomain is None:
                raise SubdomainRequired(provider=key)
            placed = placed.for_subdomain(subdomain)
        return Provider(
            spec=placed,
            client=client,
            redirect_uri=self.redirect_uri(spec.platform),
            subdomain=subdomain if spec.needs_subdomain else None,
        )
