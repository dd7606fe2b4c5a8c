"""A person's data on PostgreSQL: the export's sections read in their scope, and the erasure
(``atlas.erase_current_user``, migration 0014) run in the unit of work's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.errors import execute, sqlstate, translate
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.personal_data_sections import SECTIONS
from application.compliance.personal_data_ports import (
    Erasure,
    PersonalDataReads,
    PersonalDataUnitOfWork,
)
from application.shared.scope import Scope
from domain.compliance.personal_data import LastOwner, Record, Subject
from domain.identity.errors import SessionEnded
from domain.shared.errors import DomainError, ScopeViolation
from domain.shared.ids import UserId

_decode = msgspec.json.Decoder(list[dict[str, Any]]).decode
_SUBJECT = text("SELECT user_id, email FROM atlas.users WHERE user_id = :me")  # the scope's own
_ERASE = text("SELECT atlas.erase_current_user(:at)")
# The erase function's own refusals (RAISE ... USING ERRCODE in migration 0014).
_REFUSALS: dict[str, type[DomainError]] = {"AT409": LastOwner, "AT404": SessionEnded}


def _json_rows(query: str) -> Any:
    # PostgreSQL writes the JSON (timestamps, arrays, jsonb as stored): one value per section.
    # ``query`` is one of the registry's constants, never input; values arrive bound.
    return text(f"SELECT coalesce(jsonb_agg(to_jsonb(x)), '[]')::text FROM ({query}) x")  # noqa: S608


class PostgresPersonalDataReads(PersonalDataReads):
    def __init__(self, session: AsyncSession, scope: Scope) -> None:
        self._session, self._scope = session, scope
        self._email: str | None = None

    def sections(self) -> Sequence[str]:
        return list(SECTIONS)

    def _me(self) -> UserId:
        if self._scope.user_id is None or self._scope.tenant_id is None:
            raise ScopeViolation()
        return self._scope.user_id

    async def subject(self) -> Subject | None:
        row = (await execute(self._session, _SUBJECT, {"me": self._me()})).one_or_none()
        if row is None:
            return None
        self._email = row.email
        return Subject(user_id=UserId(row.user_id), email=row.email)

    async def read(self, section: str) -> list[Record]:
        if self._email is None and await self.subject() is None:
            return []
        params = {"me": self._me(), "email": self._email, "tenant": self._scope.tenant_id}
        result = await execute(self._session, _json_rows(SECTIONS[section].query), params)
        return _decode(result.scalar_one())


class PostgresErasure(Erasure):
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def erase_current_user(self, at: datetime) -> int:
        try:
            result = await self._session.execute(_ERASE, {"at": at})
        except DBAPIError as error:
            refusal = _REFUSALS.get(sqlstate(error) or "")
            raise (refusal() if refusal else translate(error)) from error
        return int(result.scalar_one())


class PostgresPersonalDataUnitOfWork(PostgresIdentityUnitOfWork, PersonalDataUnitOfWork):
    def _attach(self, session: AsyncSession) -> None:
        super()._attach(session)
        self.personal_data = PostgresPersonalDataReads(session, self.scope)
        self.erasure = PostgresErasure(session)
