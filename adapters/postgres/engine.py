"""Engines and session factories; every session binds its scope at the start of each transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.ext.asyncio import create_async_engine as _create_async_engine
from sqlalchemy.orm import Session, SessionTransaction

from adapters.postgres.url import DatabaseUrl
from application.shared.scope import Scope

SCOPE_KEY = "atlas.scope"
PENDING_DELETION_KEY = "atlas.pending_deletion"  # session.info: the purge date, when read-only

_BIND_SCOPE = text(
    "SELECT set_config('app.tenant_id', :tenant_id, true), "
    "set_config('app.user_id', :user_id, true)"
)
# A tenant pending deletion is read-only: every write of the transaction then fails with
# SQLSTATE 25006, whatever the code path. Going read-only is allowed at any point of a
# transaction, and (like the scope) ends with it.
_READ_ONLY_IF_PENDING = text(
    "SELECT t.purge_after, set_config('transaction_read_only', 'on', true) "
    "FROM atlas.tenants t WHERE t.tenant_id = :tenant_id AND t.purge_after IS NOT NULL"
)


class UnscopedSessionError(RuntimeError):
    """A statement was about to run outside a unit of work."""


class ScopedSession(Session):
    """The sync session under every AsyncSession Atlas opens; see ``_bind_scope``."""


@event.listens_for(ScopedSession, "after_begin")
def _bind_scope(session: Session, _tx: SessionTransaction, connection: Connection) -> None:
    # after_begin runs before the first statement of every transaction, including the ones a
    # session starts after commit(): no statement can run without its scope. `true` makes the
    # settings transaction-local, so they end with the transaction and never follow a pooled
    # connection to its next user.
    scope = session.info.get(SCOPE_KEY)
    if not isinstance(scope, Scope):
        raise UnscopedSessionError("database access outside a unit of work")
    connection.execute(
        _BIND_SCOPE,
        {
            "tenant_id": str(scope.tenant_id) if scope.tenant_id else "",
            "user_id": str(scope.user_id) if scope.user_id else "",
        },
    )
    if scope.tenant_id is not None and not scope.allow_pending_deletion:
        pending = connection.execute(_READ_ONLY_IF_PENDING, {"tenant_id": scope.tenant_id})
        session.info[PENDING_DELETION_KEY] = pending.scalar()


def create_engine(url: DatabaseUrl, **kwargs: Any) -> AsyncEngine:
    connect_args: dict[str, Any] = {}
    if not url.is_unix_socket:
        connect_args["ssl"] = url.ssl_argument()
    connect_args["server_settings"] = {"application_name": "atlas"}
    # hide_parameters: a statement's error names the statement, never its values (an email, a
    # sealed token, a request's input) in an exception that reaches a log.
    return _create_async_engine(
        url.sqlalchemy_url(),
        connect_args=connect_args,
        pool_pre_ping=True,
        hide_parameters=True,
        **kwargs,
    )


async def open_engine(url: DatabaseUrl, pool_size: int = 10) -> AsyncIterator[AsyncEngine]:
    """A Resource for the container: yields the engine, disposes it at shutdown."""
    engine = create_engine(url, pool_size=pool_size, max_overflow=pool_size)
    try:
        yield engine
    finally:
        await engine.dispose()


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        engine, sync_session_class=ScopedSession, expire_on_commit=False, autoflush=False
    )
