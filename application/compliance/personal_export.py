"""Export everything Atlas keeps about the signed-in person in this tenant (GDPR Art. 15 and
20): one JSON file per section of the registry, and a manifest naming the schema version, the
subject, the tenant and each section's file and record count."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import final

import msgspec

from application.compliance.personal_data_ports import PersonalDataUnitOfWork
from application.identity.sessions import Sessions
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.compliance.audit import AuditAction, AuditEntry
from domain.compliance.personal_data import MANIFEST_FILE, Manifest, SectionEntry, section_file
from domain.identity.errors import SessionEnded

ExportFile = tuple[str, bytes | AsyncIterator[bytes]]  # a file of the archive, whole or streamed
_encode = msgspec.json.Encoder().encode


@final
class ExportPersonalData:
    """Reads every section in one transaction (one snapshot of the person's rows), at the
    database's pace: the caller spools the files before the first byte goes out."""

    def __init__(
        self, *, uow_for: Callable[[Scope], PersonalDataUnitOfWork], sessions: Sessions
    ) -> None:
        self._uow_for, self._sessions = uow_for, sessions

    async def execute(self, actor: Actor) -> AsyncIterator[ExportFile]:
        # Recorded first, in its own transaction: an export that fails halfway was still
        # taken. A tenant pending deletion may still be exported (the trail says so).
        async with self._uow_for(actor.scope.despite_pending_deletion()) as uow:
            await self._sessions.require_active(uow, actor)
            uow.audit.record(AuditEntry(
                action=AuditAction.DATA_EXPORTED, target_type="member",
                target_id=str(actor.user_id), details={"kind": "personal"},
            ))  # fmt: skip
            await uow.commit()
        async with self._uow_for(actor.scope) as uow:
            await self._sessions.require_active(uow, actor)
            subject = await uow.personal_data.subject()
            if subject is None:
                raise SessionEnded()
            entries = []
            for name in uow.personal_data.sections():
                records = await uow.personal_data.read(name)
                entries.append(
                    SectionEntry(name=name, file=section_file(name), records=len(records))
                )
                yield section_file(name), _encode(records)
        manifest = Manifest(
            kind="personal",
            subject=subject,
            tenant_id=actor.tenant_id,
            generated_at=self._sessions.now(),
            sections=entries,
        )
        yield MANIFEST_FILE, _encode(manifest)
