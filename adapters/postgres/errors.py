"""Translate driver errors into domain errors at the adapter boundary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import asyncpg
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.compliance.tenant_deletion import TenantNotDue, TenantPendingDeletion
from domain.shared.errors import DomainError, ScopeViolation, StorageError, Unavailable

INSUFFICIENT_PRIVILEGE = "42501"  # also: "new row violates row-level security policy"
UNIQUE_VIOLATION = "23505"
FOREIGN_KEY_VIOLATION = "23503"
READ_ONLY_TRANSACTION = "25006"  # the tenant is pending deletion (adapters/postgres/engine.py)
EARLY_TENANT_DELETE = "ATD01"  # tenants_deletion_guard (migration 0015)
# The server is gone or going, or full: connection exceptions (class 08), an administrator's or
# a crash's shutdown, "cannot connect now" (starting up), too many connections.
_GONE_STATES = ("08", "57P01", "57P02", "57P03", "53300")
_GONE_TYPES = (OSError, asyncpg.PostgresConnectionError)  # OSError: no socket, refused, reset


class DatabaseUnavailable(Unavailable):
    """The database cannot be reached right now (restarting, failing over): retry shortly."""

    code = "database.unavailable"
    default_message = "The database is not reachable right now; retry in a moment."


def database_gone(error: BaseException | None) -> bool:
    """Whether ``error``, or what caused it, says the server went away rather than that the
    statement was wrong: a 503 to retry, not a 500."""
    seen = 0
    while error is not None and seen < 8:  # the chain is short; bounded all the same
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if isinstance(error, _GONE_TYPES):
            return True
        state = getattr(error, "sqlstate", None)
        if isinstance(state, str) and state.startswith(_GONE_STATES):
            return True
        if isinstance(error, asyncpg.InterfaceError) and "closed" in str(error):
            return True  # "connection is closed": it was, under us
        error, seen = error.__cause__ or getattr(error, "orig", None), seen + 1
    return False


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
    if database_gone(error):
        return DatabaseUnavailable()
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
