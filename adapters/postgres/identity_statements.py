"""Run identity statements, translating known constraint violations into domain errors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.postgres.errors import translate
from domain.identity.errors import EmailTaken, MembershipExists, NoMembership, TenantExists
from domain.shared.errors import DomainError

_KNOWN: Mapping[str, type[DomainError]] = {
    "users_email_key": EmailTaken,
    "memberships_pkey": MembershipExists,
    "tenants_pkey": TenantExists,
    # A session opened for a membership that was removed a moment ago.
    "refresh_families_membership_fkey": NoMembership,
}


async def run(session: AsyncSession, statement: Any, params: Any = None) -> Any:
    try:
        return await session.execute(statement, params)
    except DBAPIError as error:
        raise translate(error, _KNOWN) from error
