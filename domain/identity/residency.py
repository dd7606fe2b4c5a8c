"""Residency: one region per deployment, and each tenant served only by its own region's."""

from __future__ import annotations

import msgspec

from domain.identity.errors import WrongRegion


class Residency(msgspec.Struct, frozen=True, kw_only=True):
    """The region this deployment serves, and where each region's deployment answers.

    A shared database across regions is what residency forbids, so a tenant of another region
    reaches this deployment only by mistake (a token minted there, a restored dump, a region
    set by hand): it is refused, before anything is written, with the right deployment's URL.
    """

    region: str
    urls: tuple[tuple[str, str], ...] = ()  # (region, https URL of its deployment)

    def url_of(self, region: str) -> str | None:
        return next((url for name, url in self.urls if name == region), None)

    def serves(self, region: str) -> bool:
        return region == self.region

    def admit(self, region: str) -> None:
        """Refuse a tenant (or a sign-up) of another region, naming where it belongs."""
        if not self.serves(region):
            url = self.url_of(region)
            where = f" at {url}" if url else ""
            raise WrongRegion(
                f"This tenant's data is kept in {region}; sign in to that region's Atlas{where}.",
                region=region,
                region_url=url,
            )
