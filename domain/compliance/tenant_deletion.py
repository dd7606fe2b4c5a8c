"""Deleting a tenant: a pending request with a 30-day grace, then a purge; and its errors."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from domain.shared.errors import Conflict, DetailValue, DomainError, Invalid
from domain.shared.ids import TenantId, UserId

# The database refuses a shorter one (tenants_deletion_grace), so this is not a setting.
GRACE = timedelta(days=30)


class PendingDeletion(msgspec.Struct, frozen=True, kw_only=True):
    """The tenant is read-only until ``purge_after``; an owner may restore it until then."""

    requested_at: datetime
    requested_by: UserId
    purge_after: datetime

    @classmethod
    def requested(cls, *, by: UserId, at: datetime) -> PendingDeletion:
        return cls(requested_at=at, requested_by=by, purge_after=at + GRACE)

    def due(self, now: datetime) -> bool:
        return now >= self.purge_after


class TenantStanding(msgspec.Struct, frozen=True, kw_only=True):
    tenant_id: TenantId
    name: str
    pending: PendingDeletion | None = None

    def confirm_name(self, typed: str) -> None:
        """The name typed back must be the tenant's, exactly (surrounding spaces aside)."""
        if typed.strip() != self.name.strip():
            raise TenantNameMismatch()


class PurgeReport(msgspec.Struct, frozen=True, kw_only=True):
    """What stays of a purged tenant in ``tenant_deletions``: counts, never content."""

    tenant_id: TenantId
    purged_at: datetime
    rows_removed: dict[str, int]
    revocations: dict[str, int]  # "<provider>:<outcome>" -> connections


def _instant(at: datetime) -> str:
    """As the API writes times everywhere else (RFC 3339, ``Z`` for UTC)."""
    return msgspec.json.decode(msgspec.json.encode(at), type=str)


class TenantDeletionError(DomainError):
    code = "tenant.deletion_error"


class TenantPendingDeletion(TenantDeletionError, Conflict):
    code = "tenant.pending_deletion"
    default_message = (
        "This tenant is scheduled for deletion and is read-only; an owner can restore it "
        "until it is purged."
    )

    @classmethod
    def until(cls, purge_after: datetime | None) -> TenantPendingDeletion:
        if purge_after is None:
            return cls()
        details: dict[str, DetailValue] = {"purge_after": _instant(purge_after)}
        day = purge_after.date().isoformat()
        return cls(
            f"This tenant is scheduled for deletion on {day} and is read-only until then; "
            "an owner can restore it before that date.",
            **details,
        )


class TenantNotPendingDeletion(TenantDeletionError, Conflict):
    code = "tenant.not_pending_deletion"
    default_message = "This tenant is not scheduled for deletion."


class TenantPurgeDue(TenantDeletionError, Conflict):
    code = "tenant.purge_due"
    default_message = "The grace period has ended: the tenant is being purged."

    @classmethod
    def at(cls, purge_after: datetime) -> TenantPurgeDue:
        return cls(purge_after=_instant(purge_after))


class TenantNameMismatch(TenantDeletionError, Invalid):
    code = "tenant.confirmation_mismatch"
    default_message = "The name typed does not match the tenant's name."


class TenantNotDue(TenantDeletionError, Conflict):
    """The database's clock says the grace has not ended (the trigger's refusal)."""

    code = "tenant.not_due_for_purge"
    default_message = "This tenant is not past its deletion grace period."
