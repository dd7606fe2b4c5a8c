"""A person's data in Atlas: what an export holds (GDPR Art. 15 and 20), and why an erasure
(Art. 17) may be refused."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from domain.shared.errors import Conflict, DomainError
from domain.shared.ids import TenantId, UserId

EXPORT_SCHEMA_VERSION = 1
# What an export covers: the person's rows in the tenant of the session that asked for it
# (R8.4); their other tenants are listed in the account section, each exported from there.
EXPORT_SCOPE = "tenant"

Record = dict[str, Any]  # one JSON object of a section: column names to JSON values


class ComplianceError(DomainError):
    code = "compliance.error"


class LastOwner(ComplianceError, Conflict):
    code = "compliance.last_owner"
    default_message = (
        "You are the only owner of a tenant: make someone else an owner, or delete the "
        "tenant, before erasing your account."
    )


class Subject(msgspec.Struct, frozen=True, kw_only=True):
    """Whom an export is about."""

    user_id: UserId
    email: str


class SectionEntry(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    file: str
    records: int | None  # None for a section streamed as it is read (the tenant's graph)


class Manifest(msgspec.Struct, frozen=True, kw_only=True):
    schema_version: int = EXPORT_SCHEMA_VERSION
    kind: str  # "personal" or "tenant"
    subject: Subject | None  # the person, for a personal export
    tenant_id: TenantId
    scope: str = EXPORT_SCOPE
    generated_at: datetime
    sections: list[SectionEntry]


def section_file(name: str) -> str:
    return f"{name}.json"


MANIFEST_FILE = "manifest.json"
