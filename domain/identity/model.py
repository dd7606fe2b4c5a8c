"""Tenants, login identities and the memberships that join them."""

from __future__ import annotations

import enum
import unicodedata
from datetime import datetime

import msgspec

from domain.identity.errors import InvalidEmail, InvalidName, InvalidRegion
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret

REGIONS = frozenset({"europe-west4", "us-central1"})
DEFAULT_REGION = "europe-west4"
MAX_EMAIL_LENGTH = 254  # RFC 5321 path limit
MAX_NAME_LENGTH = 200


class Role(enum.StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    MEMBER = "member"
    VIEWER = "viewer"  # reads the graph; connects and changes nothing

    @property
    def manages_members(self) -> bool:
        return self in (Role.OWNER, Role.ADMIN)

    @property
    def connects_sources(self) -> bool:
        return self is not Role.VIEWER

    @property
    def exports_tenant(self) -> bool:
        """The whole tenant's graph leaves Atlas only in an owner's or an admin's hands."""
        return self.manages_members


def normalise_email(raw: str) -> str:
    """The login identity: trimmed and lower-cased, so one person cannot hold two accounts."""
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    if (
        not at
        or not local
        or "." not in domain
        or "@" in domain
        or len(email) > MAX_EMAIL_LENGTH
        or any(c.isspace() or _invisible(c) for c in email)
        or domain.startswith(".")
        or domain.endswith(".")
    ):
        raise InvalidEmail()
    return email


def _invisible(char: str) -> bool:
    """Control, format (zero-width, bidirectional overrides), private-use, unassigned and
    separator characters: an address or a name holding one can look like another."""
    return unicodedata.category(char)[0] in "CZ" and char != " "


def clean_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name or len(name) > MAX_NAME_LENGTH or any(_invisible(c) for c in name):
        raise InvalidName()
    return name


def check_region(region: str) -> str:
    if region not in REGIONS:
        raise InvalidRegion(region=region)
    return region


class Tenant(msgspec.Struct, frozen=True, kw_only=True):
    id: TenantId
    name: str
    region: str
    created_at: datetime
    purge_after: datetime | None = None  # pending deletion (read-only) until then


class User(msgspec.Struct, frozen=True, kw_only=True):
    id: UserId
    email: str
    name: str
    password_hash: Secret[str]
    created_at: datetime
    disabled_at: datetime | None = None
    # None until the owner of the address follows a verification link (or an invitation).
    email_verified_at: datetime | None = None


class Membership(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: TenantId
    user_id: UserId
    role: Role
    created_at: datetime


class TenantMembership(msgspec.Struct, frozen=True, kw_only=True):
    """A membership seen from the user's side: which tenant, under which role."""

    tenant_id: TenantId
    tenant_name: str
    role: Role


class LoginIdentity(msgspec.Struct, frozen=True, kw_only=True):
    """What the unauthenticated login path may learn about an email: id and hash, no more."""

    user_id: UserId
    password_hash: Secret[str]
