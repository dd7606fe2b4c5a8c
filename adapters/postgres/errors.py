"""Translate driver errors into domain errors at the adapter boundary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compliance.tenant_deletion import TenantNotDue, TenantPendingDeletion
from domain.shared.errors import DomainError, ScopeViolation, StorageError

INSUFFICIENT_PRIVILEGE = "42501"  # also: "new row violates row-level security policy"
UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
READ_ONLY_TRANSACTION = "25006"  # the tenant is pending deletion (adapters/postgres/engine.py)
EARLY_TENANT_DELETE = "ATD01"  # tenants_deletion_guard (migration 0015)


def sqlstate(error: DBAPIError) -> str | None:
    cause = error.orig.__cause__ if error.orig is not None else None
    return getattr(cause, "sqlstate", None) or getattr(error.orig, "pgcode", None)


def constraint(error: DBAPIError) -> str | None:
    cause = error.orig.__cause__ if error.orig is not None else None
    return getattr(cause, "constraint_name", None)


def translate(
    error: DBAPIError, known: Mapping[str, type[DomainError]] | None = None
) -> DomainError:
    """A known constraint becomes its domain error; everything else a StorageError."""
    name = constraint(error)
    if known and name is not None and name in known:
        return known[name]()
    state = sqlstate(error)
    if state == INSUFFICIENT_PRIVILEGE:
        return ScopeViolation()
    if state == READ_ONLY_TRANSACTION:
        return TenantPendingDeletion()
    if state == EARLY_TENANT_DELETE:
        return TenantNotDue()
    return StorageError()


def refused_as_read_only(error: BaseException | None) -> bool:
    """A write the pending-deletion guard refused, however it was raised or translated."""
    if isinstance(error, TenantPendingDeletion):
        return not error.details  # translated without the purge date: the unit of work adds it
    if isinstance(error, DBAPIError):
        return sqlstate(error) == READ_ONLY_TRANSACTION
    return getattr(error, "sqlstate", None) == READ_ONLY_TRANSACTION  # asyncpg's own


async def execute(
    session: AsyncSession,
    statement: Any,
    params: Any = None,
    known: Mapping[str, type[DomainError]] | None = None,
) -> Any:
    """Run one statement; a driver error leaves as a domain error (``translate``)."""
    try:
        return await session.execute(statement, params)
    except DBAPIError as error:
        raise translate(error, known) from error
