"""The unit of work: one transaction, one scope, rolled back unless committed."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.postgres.audit import PostgresAuditRecorder
from adapters.postgres.engine import PENDING_DELETION_KEY, SCOPE_KEY
from adapters.postgres.errors import DatabaseUnavailable, refused_as_read_only, translate
from adapters.postgres.outbox import PostgresEventOutbox
from application.shared.scope import Scope
from domain.compliance.tenant_deletion import TenantPendingDeletion


class PostgresUnitOfWork:
    """Subclasses attach their context's repositories in ``_attach``."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], scope: Scope) -> None:
        self._sessions = sessions
        self.scope = scope
        self.committed = False

    async def __aenter__(self) -> Self:
        self.session = self._sessions(info={SCOPE_KEY: self.scope})
        try:
            # Take the connection now: the transaction and its scope begin here, and an
            # unreachable database fails at the door rather than halfway through a use case.
            await self.session.connection()
        except DBAPIError as error:
            await self.session.close()
            raise translate(error) from error
        except OSError as error:  # SQLAlchemy re-raises a failed connect's socket error bare
            await self.session.close()
            raise DatabaseUnavailable() from error
        except BaseException:
            await self.session.close()
            raise
        self._events = PostgresEventOutbox(self.session, self.scope.tenant_id)
        self._audit = PostgresAuditRecorder(self.session, self.scope)
        self._attach(self.session)
        return self

    @property
    def events(self) -> PostgresEventOutbox:
        return self._events

    @property
    def audit(self) -> PostgresAuditRecorder:
        return self._audit

    def _attach(self, session: AsyncSession) -> None:
        """Create this context's repositories on ``session``."""

    async def commit(self) -> None:
        try:
            # Last before the commit: the tenant's event numbering stays locked only this long.
            await self.events.flush()
            await self.audit.flush()  # the tenant's audit head is locked from here to the commit
            await self.session.commit()
        except DBAPIError as error:
            raise translate(error) from error
        self.committed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        purge_after = self.session.info.get(PENDING_DELETION_KEY)
        # close() rolls back whatever commit() did not commit.
        await self.session.close()
        if refused_as_read_only(exc):
            # Whichever statement hit the read-only tenant, the caller hears why, and until when.
            raise TenantPendingDeletion.until(purge_after) from exc
