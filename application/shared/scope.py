"""The rows a unit of work may touch: one tenant and one user, or neither."""

from __future__ import annotations

from typing import ClassVar

import msgspec

from domain.shared.ids import TenantId, UserId


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    """Bound into every transaction; the database's row security does the rest.

    ``tenant_id=None`` is the anonymous scope used before a login is known: every tenant
    table reads as empty and refuses writes under it.
    """

    tenant_id: TenantId | None
    user_id: UserId | None

    ANONYMOUS: ClassVar[Scope]


Scope.ANONYMOUS = Scope(tenant_id=None, user_id=None)
