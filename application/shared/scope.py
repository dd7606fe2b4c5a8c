"""The rows a unit of work may touch: one tenant and one user, or neither."""

from __future__ import annotations

from typing import ClassVar

import msgspec

from domain.shared.ids import TenantId, UserId


class Scope(msgspec.Struct, frozen=True, kw_only=True):
    """Bound into every transaction; the database's row security does the rest.

    ``tenant_id=None`` is the anonymous scope used before a login is known: every tenant
    table reads as empty and refuses writes under it.

    A tenant pending deletion is read-only: its transactions refuse every write. The few use
    cases that must still write (signing in and out, refreshing, changing a password, the
    restore, the purge, re-encryption under a new vault key) say so with
    ``despite_pending_deletion()``; nothing else sets ``allow_pending_deletion``.
    """

    tenant_id: TenantId | None
    user_id: UserId | None
    allow_pending_deletion: bool = False

    ANONYMOUS: ClassVar[Scope]

    def despite_pending_deletion(self) -> Scope:
        return msgspec.structs.replace(self, allow_pending_deletion=True)


Scope.ANONYMOUS = Scope(tenant_id=None, user_id=None)
