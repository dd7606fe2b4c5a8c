"""Ports the personal-data use cases (export and erasure) need; adapters implement them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from application.identity.ports import IdentityUnitOfWork
from domain.compliance.personal_data import Record, Subject


class PersonalDataReads(Protocol):
    """The registry of export sections, read in the unit of work's scope (one tenant, one
    person): row security shows only what the person may see, and every query names them."""

    def sections(self) -> Sequence[str]:
        """The section names, in the order they go into the archive."""
        ...

    async def subject(self) -> Subject | None: ...

    async def read(self, section: str) -> list[Record]:
        """The section's records as JSON objects: never a token, a hash or a key."""
        ...


class Erasure(Protocol):
    async def erase_current_user(self, at: datetime) -> int:
        """Put the scope's user on the suppression list and erase them everywhere, in the unit
        of work's transaction; the rows touched. Raises ``LastOwner`` when they are a tenant's
        only owner, ``SessionEnded`` when the account is already gone."""
        ...


class PersonalDataUnitOfWork(IdentityUnitOfWork, Protocol):
    personal_data: PersonalDataReads
    erasure: Erasure
