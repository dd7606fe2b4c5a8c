"""Export a tenant for its owner: its settings, members, connections (never a token) and its
whole graph as OCEL 2.0 JSON, streamed into the archive as it is read."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import final

import msgspec

from application.compliance.personal_export import ExportFile
from application.identity.ports import IdentityUnitOfWork
from application.identity.sessions import Sessions
from application.integrations.ports import IntegrationsUnitOfWork
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry
from domain.compliance.personal_data import MANIFEST_FILE, Manifest, SectionEntry, section_file
from domain.identity.errors import RoleRequired, TenantNotFound
from domain.identity.model import Role

GRAPH_FILE = "graph.ocel.json"
_encode = msgspec.json.Encoder().encode


@final
class ExportTenant:
    def __init__(
        self,
        *,
        uow_for: Callable[[Scope], IdentityUnitOfWork],
        integrations_uow_for: Callable[[Scope], IntegrationsUnitOfWork],
        sessions: Sessions,
    ) -> None:
        self._uow_for, self._integrations = uow_for, integrations_uow_for
        self._sessions = sessions

    async def execute(self, actor: Actor, graph: AsyncIterator[bytes]) -> AsyncIterator[ExportFile]:
        """``graph``: the tenant's graph as OCEL bytes, read by the caller's exporter."""
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            me = await uow.memberships.get(actor.user_id)
            if me is None or me.role is not Role.OWNER:  # the role now, not the token's
                raise RoleRequired()
            tenant = await uow.tenants.get(actor.tenant_id)
            members = await uow.memberships.roster()
        async with self._uow_for(actor.scope.despite_pending_deletion()) as uow:
            uow.audit.record(AuditEntry(
                action=AuditAction.DATA_EXPORTED, target_type="tenant",
                target_id=str(actor.tenant_id), details={"kind": "tenant"},
            ))  # fmt: skip
            await uow.commit()
        if tenant is None:
            raise TenantNotFound()
        async with self._integrations(actor.scope) as integrations:
            connections = await integrations.directory.of_tenant()
        sections: list[tuple[str, list[object]]] = [
            ("settings", [tenant]),
            ("members", list(members)),
            ("connections", list(connections)),
        ]
        entries = []
        for name, records in sections:
            entries.append(SectionEntry(name=name, file=section_file(name), records=len(records)))
            yield section_file(name), _encode(records)
        entries.append(SectionEntry(name="graph", file=GRAPH_FILE, records=None))
        yield GRAPH_FILE, graph
        manifest = Manifest(
            kind="tenant",
            subject=None,
            tenant_id=actor.tenant_id,
            generated_at=self._sessions.now(),
            sections=entries,
        )
        yield MANIFEST_FILE, _encode(manifest)
