"""Compliance settings: the region this deployment serves and where the others answer, the
security contact published as ``/.well-known/security.txt`` (RFC 9116), and the subprocessors
the trust page lists.

Start-up refuses a region URL that is not https or names an unknown region, a security.txt
``Expires`` in the past or more than a year ahead (RFC 9116 §2.5.5), a contact that is neither
``mailto:``, ``https:`` nor ``tel:``, and a subprocessors file that is not the documented JSON.
In production the other regions' URLs, the contact, the policy and ``Expires`` are required.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import msgspec

from domain.identity.model import DEFAULT_REGION, REGIONS
from domain.identity.residency import Residency
from entrypoints.settings_keys import SettingsError

SUBPROCESSORS_FILE = Path(__file__).resolve().parent.parent / "docs" / "subprocessors.json"
SECURITY_TXT_PATH = "/.well-known/security.txt"
DEVELOPMENT_EXPIRY = timedelta(days=180)  # make run's security.txt: well inside the year
MAX_EXPIRY = timedelta(days=365)  # RFC 9116 §2.5.5: "less than a year into the future"
_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")  # RFC 5646, loosely


class ComplianceVariables(msgspec.Struct, kw_only=True):
    """The ``ATLAS_*`` variables read here; ``settings._Raw`` inherits them."""

    region: str = DEFAULT_REGION
    region_urls: str | None = None  # europe-west4=https://eu.example,us-central1=https://us...
    security_contact: str | None = None  # comma-separated mailto:, https: or tel: URIs
    security_policy_url: str | None = None
    security_txt_expires: str | None = None  # ISO 8601 with a zone, within the next year
    security_languages: str = "en"
    subprocessors_file: str | None = None


class SecurityContact(msgspec.Struct, frozen=True, kw_only=True):
    contacts: tuple[str, ...]
    expires: datetime
    languages: tuple[str, ...]
    canonical: str  # this file's https URL on the public origin
    policy_url: str | None


class Subprocessor(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    name: str
    purpose: str
    location: str  # "{region}" stands for this deployment's region
    data_categories: tuple[str, ...]


class ComplianceSettings(msgspec.Struct, frozen=True, kw_only=True):
    residency: Residency
    security: SecurityContact
    subprocessors: tuple[Subprocessor, ...]


def compliance_settings(
    raw: ComplianceVariables, *, production: bool, public_url: str, now: datetime | None = None
) -> ComplianceSettings:
    if raw.region not in REGIONS:
        raise SettingsError(
            f"ATLAS_REGION: {raw.region} is not one of {', '.join(sorted(REGIONS))}"
        )
    residency = Residency(region=raw.region, urls=region_urls(raw.region_urls, production))
    return ComplianceSettings(
        residency=residency,
        security=security_contact(raw, production, public_url, now or datetime.now(UTC)),
        subprocessors=subprocessors(raw.subprocessors_file, residency.region),
    )


def region_urls(raw: str | None, production: bool) -> tuple[tuple[str, str], ...]:
    urls: dict[str, str] = {}
    for entry in (raw or "").split(","):
        if not entry.strip():
            continue
        region, equals, url = (part.strip() for part in entry.partition("="))
        if not equals or region not in REGIONS:
            raise SettingsError(
                f"ATLAS_REGION_URLS: {entry.strip()} is not region=https://host with a region "
                f"of {', '.join(sorted(REGIONS))}"
            )
        if region in urls:
            raise SettingsError(f"ATLAS_REGION_URLS: {region} is named twice")
        urls[region] = _https_origin(url, "ATLAS_REGION_URLS")
    missing = sorted(REGIONS - set(urls))
    if production and missing:
        raise SettingsError(
            f"ATLAS_REGION_URLS: production names every region's URL (missing {', '.join(missing)})"
        )
    return tuple(sorted(urls.items()))


def security_contact(
    raw: ComplianceVariables, production: bool, public_url: str, now: datetime
) -> SecurityContact:
    if production:
        for name, value in (
            ("ATLAS_SECURITY_CONTACT", raw.security_contact),
            ("ATLAS_SECURITY_POLICY_URL", raw.security_policy_url),
            ("ATLAS_SECURITY_TXT_EXPIRES", raw.security_txt_expires),
        ):
            if not value:
                raise SettingsError(f"{name} is required in production (security.txt)")
    contacts = _contacts(raw.security_contact or "mailto:security@atlas.invalid")
    policy = raw.security_policy_url
    return SecurityContact(
        contacts=contacts,
        expires=_expires(raw.security_txt_expires, now),
        languages=_languages(raw.security_languages),
        canonical=public_url.rstrip("/") + SECURITY_TXT_PATH,
        policy_url=_https_url(policy, "ATLAS_SECURITY_POLICY_URL") if policy else None,
    )


def subprocessors(file: str | None, region: str) -> tuple[Subprocessor, ...]:
    path = Path(file) if file else SUBPROCESSORS_FILE
    try:
        listed = msgspec.json.decode(path.read_bytes(), type=tuple[Subprocessor, ...])
    except OSError as error:
        raise SettingsError(
            f"ATLAS_SUBPROCESSORS_FILE: cannot read {path} ({error.strerror})"
        ) from None
    except msgspec.ValidationError as error:
        raise SettingsError(
            f"ATLAS_SUBPROCESSORS_FILE: {path}: {error} (a JSON list of objects with name, "
            "purpose, location and data_categories)"
        ) from None
    except msgspec.DecodeError as error:
        raise SettingsError(f"ATLAS_SUBPROCESSORS_FILE: {path} is not JSON ({error})") from None
    for entry in listed:
        texts = (entry.name, entry.purpose, entry.location, *entry.data_categories)
        if not entry.data_categories or not all(text.strip() for text in texts):
            raise SettingsError(
                f"ATLAS_SUBPROCESSORS_FILE: {path}: every field of {entry.name or 'an entry'} "
                "must be filled in, with at least one data category"
            )
    return tuple(
        msgspec.structs.replace(entry, location=entry.location.replace("{region}", region))
        for entry in listed
    )


def _contacts(raw: str) -> tuple[str, ...]:
    contacts = tuple(c.strip() for c in raw.split(",") if c.strip())
    for contact in contacts:
        scheme, _, rest = contact.partition(":")
        if scheme == "https":
            _https_url(contact, "ATLAS_SECURITY_CONTACT")
        elif not (scheme in ("mailto", "tel") and rest and not any(c.isspace() for c in rest)):
            raise SettingsError(
                f"ATLAS_SECURITY_CONTACT: {contact} is not a mailto:, https: or tel: URI"
            )
        elif scheme == "mailto" and "@" not in rest:
            raise SettingsError(f"ATLAS_SECURITY_CONTACT: {contact} has no address")
    if not contacts:
        raise SettingsError("ATLAS_SECURITY_CONTACT: give at least one contact")
    return contacts


def _expires(raw: str | None, now: datetime) -> datetime:
    if not raw:
        return (now + DEVELOPMENT_EXPIRY).replace(microsecond=0)  # production requires it
    try:
        expires = datetime.fromisoformat(raw.strip())
    except ValueError:
        raise SettingsError(
            f"ATLAS_SECURITY_TXT_EXPIRES: {raw} is not an ISO 8601 time (2027-01-31T00:00:00Z)"
        ) from None
    if expires.tzinfo is None:
        raise SettingsError("ATLAS_SECURITY_TXT_EXPIRES: give a time zone (Z or +01:00)")
    if expires <= now:
        raise SettingsError(
            f"ATLAS_SECURITY_TXT_EXPIRES: {raw} has passed; a stale security.txt must not be "
            "served (RFC 9116 §2.5.5): set a new date, less than a year ahead"
        )
    if expires > now + MAX_EXPIRY:
        raise SettingsError(
            f"ATLAS_SECURITY_TXT_EXPIRES: {raw} is more than a year ahead (RFC 9116 §2.5.5)"
        )
    return expires.astimezone(UTC)


def _languages(raw: str) -> tuple[str, ...]:
    languages = tuple(tag.strip() for tag in raw.split(",") if tag.strip())
    bad = [tag for tag in languages if not _LANGUAGE_TAG.match(tag)]
    if not languages or bad:
        raise SettingsError(
            f"ATLAS_SECURITY_LANGUAGES: language tags such as en, nl, de-CH ({', '.join(bad)})"
        )
    return languages


def _https_url(url: str, name: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or parts.username or "*" in url:
        raise SettingsError(f"{name}: {url} is not an https URL")
    return url


def _https_origin(url: str, name: str) -> str:
    parts = urlsplit(_https_url(url, name))
    if parts.path.strip("/") or parts.query or parts.fragment:
        raise SettingsError(f"{name}: {url} must be an origin (https://host[:port])")
    return f"https://{parts.netloc}"
