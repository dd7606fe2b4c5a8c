"""Who is acting: the authenticated user, in the tenant they chose, under their role there."""

from __future__ import annotations

from uuid import UUID

import msgspec

from application.shared.scope import Scope
from domain.identity.model import Role
from domain.shared.ids import TenantId, UserId


class Actor(msgspec.Struct, frozen=True, kw_only=True):
    """Comes only from a verified access token; the tenant is never taken from the request.

    ``session_id`` is the refresh-token family the access token belongs to, so sensitive
    operations can check that the session has not been revoked since the token was issued.
    """

    tenant_id: TenantId
    user_id: UserId
    role: Role
    session_id: UUID

    @property
    def scope(self) -> Scope:
        return Scope(tenant_id=self.tenant_id, user_id=self.user_id)

    @property
    def manages_members(self) -> bool:
        return self.role.manages_members
