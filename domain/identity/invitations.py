"""Invitations to join a tenant, and the rules on who may grant which role."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from domain.identity.errors import InvitationInvalid, LastOwner, OwnerRequired
from domain.identity.model import Membership, Role
from domain.shared.ids import TenantId, UserId

INVITATION_LIFETIME = timedelta(days=7)


class Invitation(msgspec.Struct, frozen=True, kw_only=True):
    id: UUID
    tenant_id: TenantId
    email: str
    role: Role
    digest: bytes  # SHA-256 of the token; the token itself is only ever in the email
    invited_by: UserId
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None

    def open(self, at: datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and at < self.expires_at

    def check_open(self, at: datetime) -> None:
        if not self.open(at):
            raise InvitationInvalid()


class Member(msgspec.Struct, frozen=True, kw_only=True):
    """A membership with the colleague's public profile (never their credentials)."""

    user_id: UserId
    email: str
    name: str
    role: Role
    joined_at: datetime


def check_may_grant(actor_role: Role, role: Role) -> None:
    """Owners and admins manage members; only an owner touches the owner role."""
    if role is Role.OWNER and actor_role is not Role.OWNER:
        raise OwnerRequired()


def check_may_change(
    actor_role: Role, target: Membership, new_role: Role | None, owners: int
) -> None:
    """``new_role=None`` is a removal. The tenant always keeps one owner."""
    if target.role is Role.OWNER or new_role is Role.OWNER:
        check_may_grant(actor_role, Role.OWNER)
    if target.role is Role.OWNER and new_role is not Role.OWNER and owners <= 1:
        raise LastOwner()
