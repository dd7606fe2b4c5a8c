"""PostgreSQL repository of email verification links and the users' verified mark."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres import identity_tables as it
from adapters.postgres import tables as t
from adapters.postgres.identity_statements import run
from adapters.postgres.scoped import is_self, own_self
from application.identity.ports import EmailVerificationRepository
from domain.identity.email_verification import EmailVerification
from domain.shared.ids import UserId

_V = it.email_verifications


class PostgresEmailVerificationRepository(EmailVerificationRepository):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def replace(self, verification: EmailVerification) -> None:
        own_self(self._session, verification.user_id)
        row = {
            "user_id": verification.user_id,
            "token_digest": verification.digest,
            "created_at": verification.created_at,
            "expires_at": verification.expires_at,
        }
        statement = insert(_V).values(**row)
        await run(
            self._session,
            statement.on_conflict_do_update(
                index_elements=[_V.c.user_id],
                set_={k: statement.excluded[k] for k in row if k != "user_id"},
            ),
        )

    async def consume(self, user_id: UserId, digest: bytes, at: datetime) -> bool:
        # DELETE … RETURNING is the single use: of two concurrent callers one gets the row.
        used = await run(
            self._session,
            delete(_V)
            .where(
                _V.c.user_id == user_id,
                is_self(self._session, _V.c.user_id),
                _V.c.token_digest == digest,
                _V.c.expires_at > at,
            )
            .returning(_V.c.user_id),
        )
        if used.one_or_none() is None:
            return False
        await self._mark(user_id, at)
        return True

    async def mark_verified(self, user_id: UserId, at: datetime) -> None:
        await run(
            self._session,
            delete(_V).where(_V.c.user_id == user_id, is_self(self._session, _V.c.user_id)),
        )
        await self._mark(user_id, at)

    async def _mark(self, user_id: UserId, at: datetime) -> None:
        u = t.users
        await run(
            self._session,
            update(u)
            .where(
                u.c.user_id == user_id,
                is_self(self._session, u.c.user_id),
                u.c.email_verified_at.is_(None),  # the first proof's time stays
            )
            .values(email_verified_at=at),
        )
