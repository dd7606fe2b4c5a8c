"""Fetch a record's original live from its provider, for a member who may see the record.

The record is looked up in the member's own scope, so row security decides who may ask: a
record they cannot see is missing, exactly like one that does not exist. The connection that
brought it may be a colleague's; its owner is found through the narrow census path, whose
tenant must be the member's, and the owner's scope is used for one thing only: a fresh access
token, refreshed single-flight as the sync refreshes it. No transaction is open while the
provider is asked. The answer goes back to the caller and nowhere else; the audit log records
who retrieved which reference and how it ended, never a byte of the answer.
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable
from typing import final
from uuid import UUID

from application.graph.original_ports import (
    OriginalSource,
    OriginalsUnitOfWork,
    RecordReference,
)
from application.integrations.connection_tokens import ConnectionTokens
from application.integrations.ports import IntegrationsUnitOfWork
from application.shared.actor import Actor
from application.shared.ports import Clock
from application.shared.scope import Scope
from application.sync.access import ConnectionAccess
from application.sync.ports import SyncCensus
from domain.compliance.audit import AuditAction, AuditEntry, Outcome
from domain.graph.errors import (
    ActivityNotFound,
    EntityNotFound,
    OriginalGone,
    OriginalNeedsReauth,
    OriginalRefused,
    OriginalSourceUnavailable,
    OriginalUnavailable,
)
from domain.graph.model import ActivityId, EntityId
from domain.graph.originals import Original, RecordKind, Retrieval, RetrievalOutcome
from domain.integrations.connection import Connection
from domain.integrations.errors import (
    ConnectionNeedsReauth,
    ConnectionNotFound,
    ConnectionRevoked,
    RefreshBusy,
    RefreshUnavailable,
)
from domain.shared.errors import DomainError
from domain.shared.ids import new_id
from domain.shared.secret import Secret
from domain.sync.errors import GrantRejected, SourceRefused, SourceThrottled, SourceUnavailable
from domain.vault.errors import CredentialUnreadable

log = logging.getLogger("atlas.graph.originals")

_REAUTH = (ConnectionNeedsReauth, ConnectionRevoked, CredentialUnreadable, GrantRejected)
_LATER = (SourceUnavailable, SourceThrottled, RefreshUnavailable, RefreshBusy)


@final
class FetchOriginal:
    def __init__(
        self,
        *,
        uow_for: Callable[[Scope], OriginalsUnitOfWork],
        integrations_uow: Callable[[Scope], IntegrationsUnitOfWork],
        census: SyncCensus,
        tokens: ConnectionTokens,
        source: OriginalSource,
        clock: Clock,
        reconnect_link: Callable[[UUID], str],
    ) -> None:
        self._uow_for, self._integrations_uow = uow_for, integrations_uow
        self._census, self._tokens, self._source = census, tokens, source
        self._clock, self._reconnect_link = clock, reconnect_link

    async def execute(self, actor: Actor, kind: RecordKind, record_id: UUID) -> Original:
        record = await self._visible(actor, kind, record_id)
        try:
            content = await self._fetch(actor, record)
        except DomainError as error:
            outcome, answer = self._answer(error, record)
            if outcome is None:
                raise
            await self._audit(actor, record, record_id, outcome)
            raise answer from None
        await self._audit(actor, record, record_id, RetrievalOutcome.OK)
        ref = record.ref
        return Original(provider=ref.provider, source_id=ref.source_id, kind=kind, content=content)

    async def _visible(self, actor: Actor, kind: RecordKind, record_id: UUID) -> RecordReference:
        """The record as the member's own scope shows it (row security decides)."""
        async with self._uow_for(actor.scope) as uow:
            if kind == "entity":
                entity = (await uow.entities.get_many([EntityId(record_id)])).get(
                    EntityId(record_id)
                )
                if entity is None:
                    raise EntityNotFound(entity_id=str(record_id))
                return RecordReference(kind=kind, ref=entity.ref)
            activity = (await uow.activities.get_many([ActivityId(record_id)])).get(
                ActivityId(record_id)
            )
            if activity is None:
                raise ActivityNotFound(activity_id=str(record_id))
            linked = await uow.entities.get_many([o.entity_id for o in activity.objects])
        links = {
            o.qualifier: linked[o.entity_id].ref.source_id
            for o in activity.objects
            if o.entity_id in linked and linked[o.entity_id].ref.scope == activity.ref.scope
        }
        return RecordReference(kind=kind, ref=activity.ref, links=links)

    async def _fetch(self, actor: Actor, record: RecordReference) -> Secret[bytes]:
        owner, connection = await self._connection(actor, record)
        access = ConnectionAccess(self._tokens, owner, connection.id)
        try:
            return await self._source.fetch(connection, access, record)
        except GrantRejected as rejected:  # refused although fresh: the owner must reconnect
            with contextlib.suppress(ConnectionNeedsReauth):
                await self._tokens.reject(owner, connection.id, rejected.reason)
            raise ConnectionNeedsReauth(connection_id=str(connection.id)) from None

    async def _connection(self, actor: Actor, record: RecordReference) -> tuple[Scope, Connection]:
        """The connection that brought the record, read in its owner's scope."""
        ref = record.ref
        if not self._source.supports(ref.provider):  # an import: no connection to ask
            raise OriginalUnavailable()
        try:
            connection_id = UUID(ref.scope)
        except ValueError:
            raise OriginalUnavailable() from None
        found = await self._census.scopes(connection_id)
        if not found:  # disconnected since (its records go with it)
            raise OriginalUnavailable()
        owner = found[0]
        if owner.tenant_id != actor.tenant_id:
            # A reference may never lead into another tenant, whatever its scope says.
            log.warning("record of connection %s refers outside its tenant", connection_id)
            raise OriginalUnavailable()
        scope = Scope(tenant_id=owner.tenant_id, user_id=owner.user_id)
        async with self._integrations_uow(scope) as uow:
            connection = await uow.connections.get(connection_id)
        if connection is None or connection.provider != ref.provider:
            raise OriginalUnavailable()
        return scope, connection

    def _answer(
        self, error: DomainError, record: RecordReference
    ) -> tuple[RetrievalOutcome | None, DomainError]:
        """How an attempt ended, and what the member is told (never a provider's message)."""
        if isinstance(error, OriginalGone):
            return RetrievalOutcome.GONE, error
        if isinstance(error, OriginalUnavailable | ConnectionNotFound):
            return RetrievalOutcome.UNSUPPORTED, OriginalUnavailable()
        connection_id = UUID(record.ref.scope) if isinstance(error, _REAUTH) else None
        if connection_id is not None:
            link = self._reconnect_link(connection_id)
            answer = OriginalNeedsReauth(connection_id=str(connection_id), reconnect=link)
            return RetrievalOutcome.REAUTH, answer
        if isinstance(error, _LATER):
            wait = _wait_of(error)
            retry_after = max(1, math.ceil(wait))
            return RetrievalOutcome.UNAVAILABLE, OriginalSourceUnavailable(retry_after=retry_after)
        if isinstance(error, SourceRefused):
            return RetrievalOutcome.REFUSED, OriginalRefused(reason=error.reason)
        return None, error

    async def _audit(
        self, actor: Actor, record: RecordReference, record_id: UUID, outcome: RetrievalOutcome
    ) -> None:
        retrieval = Retrieval(
            id=new_id(),
            tenant_id=actor.tenant_id,
            user_id=actor.user_id,
            record_kind=record.kind,
            record_id=record_id,
            ref=record.ref,
            outcome=outcome,
            retrieved_at=self._clock.now(),
        )
        ok = outcome is RetrievalOutcome.OK
        async with self._uow_for(actor.scope) as uow:
            await uow.retrievals.add(retrieval)
            uow.audit.record(AuditEntry(
                action=AuditAction.ORIGINAL_RETRIEVED, target_type=str(record.kind),
                target_id=str(record_id), outcome=Outcome.SUCCESS if ok else Outcome.FAILURE,
                details={"provider": record.ref.provider, "result": str(outcome)},
            ))  # fmt: skip
            await uow.commit()


def _wait_of(error: DomainError) -> float:
    """Seconds the provider (or the token refresh's cooldown) asked to wait, when it said."""
    if isinstance(error, SourceUnavailable | SourceThrottled):
        return error.retry_after_seconds or 1.0
    if isinstance(error, RefreshUnavailable | RefreshBusy):
        return float(error.retry_after)
    return 1.0
