"""Ports fetching an original needs: the provider's single-record reads, and the audit log."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol
from uuid import UUID

import msgspec

from application.graph.ports import GraphUnitOfWork
from application.sync.ports import AccessSource
from domain.graph.model import SourceRef
from domain.graph.originals import RecordKind, Retrieval
from domain.integrations.connection import Connection
from domain.shared.secret import Secret


class RecordReference(msgspec.Struct, frozen=True, kw_only=True):
    """What a provider's single-record read needs to know of a stored record.

    ``links`` are the source ids of the entities an activity links to, by qualifier (a Zendesk
    audit or a Jira changelog entry is read through its ticket or issue).
    """

    kind: RecordKind
    ref: SourceRef
    links: Mapping[str, str] = msgspec.field(default_factory=dict)


class OriginalSource(Protocol):
    """The provider's own answer for one record, read live with the connection's token.

    Raises ``OriginalGone`` when the provider no longer has it, ``OriginalUnavailable`` for a
    record kind without an endpoint of its own or of a parent; otherwise what ``ProviderApi``
    raises (``SourceRefused``, ``SourceUnavailable``, ``SourceThrottled``, ``GrantRejected``,
    ``ConnectionNeedsReauth``). Never a body in an error, never a log of one.
    """

    def supports(self, provider: str) -> bool: ...

    async def fetch(
        self, connection: Connection, access: AccessSource, record: RecordReference
    ) -> Secret[bytes]: ...


class RetrievalLog(Protocol):
    """Who retrieved which reference, and how it ended: private to the member who did."""

    async def add(self, retrieval: Retrieval) -> None: ...

    async def of_record(self, record_id: UUID) -> list[Retrieval]:
        """The scope's retrievals of one record, oldest first."""
        ...


class OriginalsUnitOfWork(GraphUnitOfWork, Protocol):
    retrievals: RetrievalLog
