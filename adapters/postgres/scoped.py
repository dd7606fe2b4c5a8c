"""Statements name their tenant (and user) themselves: row security is the second lock.

Every repository statement on a tenant table carries ``tenant_id = <the scope's tenant>``,
and on a user-private table the scope's user as well, taken from the scope the unit of work
bound to its session. Were a policy dropped or mistaken, or the connection's role to bypass
row security, a statement would still reach only its own tenant's rows. Writes check the
rows they add against the scope the same way, refusing as the policy would.

An absent tenant or user (the anonymous scope, a scope with no user) names nothing: the
predicate is false, as the policy's NULL comparison is.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Table, and_, false
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.engine import SCOPE_KEY, UnscopedSessionError
from application.shared.scope import Scope
from domain.shared.errors import ScopeViolation


def scope_of(session: AsyncSession) -> Scope:
    scope = session.info.get(SCOPE_KEY)
    if not isinstance(scope, Scope):
        raise UnscopedSessionError("database access outside a unit of work")
    return scope


def of_tenant(session: AsyncSession, table: Table) -> ColumnElement[bool]:
    """``table.tenant_id`` is the scope's tenant."""
    tenant = scope_of(session).tenant_id
    return false() if tenant is None else table.c.tenant_id == tenant


def of_user(session: AsyncSession, table: Table, column: str = "user_id") -> ColumnElement[bool]:
    """The scope's tenant, and the scope's user in ``column``: a user-private row."""
    scope = scope_of(session)
    if scope.tenant_id is None or scope.user_id is None:
        return false()
    return and_(table.c.tenant_id == scope.tenant_id, table.c[column] == scope.user_id)


def bound(session: AsyncSession) -> dict[str, Any]:
    """``:tenant`` and ``:user`` for a text statement (NULL when absent: matches nothing)."""
    scope = scope_of(session)
    return {"tenant": scope.tenant_id, "user": scope.user_id}


def own_tenant(session: AsyncSession, tenant_id: UUID) -> None:
    """Refuse to write a row of another tenant, as the policy's WITH CHECK would."""
    scope = scope_of(session)
    if scope.tenant_id is None or tenant_id != scope.tenant_id:
        raise ScopeViolation()


def own_user(session: AsyncSession, tenant_id: UUID, user_id: UUID) -> None:
    """Refuse to write a row private to another user, or of another tenant."""
    own_tenant(session, tenant_id)
    if user_id != scope_of(session).user_id:
        raise ScopeViolation()


def own_self(session: AsyncSession, user_id: UUID) -> None:
    """Refuse to write a login identity (global, no tenant) other than the scope's user's."""
    if user_id != scope_of(session).user_id:
        raise ScopeViolation()


def is_self(session: AsyncSession, column: Any) -> ColumnElement[bool]:
    """``column`` is the scope's user: a row of the login identity, which has no tenant."""
    user = scope_of(session).user_id
    return false() if user is None else column == user
