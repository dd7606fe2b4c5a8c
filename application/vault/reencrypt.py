"""Re-seal every stored value under the current key version, in resumable batches.

One scope at a time (a tenant, and a user for user-private tables), each batch in its own unit
of work under that scope: the app role with its context set, row security in force, nothing
that bypasses it. Each batch commits, so a stopped run loses at most one batch of work and a
new run continues with whatever is still under an old version. A row changed meanwhile (a new
key stored, tokens refreshed) is left alone: the swap only happens if the row still holds what
was read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Final, final
from uuid import UUID

import msgspec

from application.shared.scope import Scope
from application.vault.ports import (
    KeyRing,
    KeyVersionRepository,
    R,
    ResealableRepository,
    Vault,
    VaultUnitOfWork,
)
from domain.compliance.audit import AuditAction, AuditEntry
from domain.vault.errors import CredentialUnreadable
from domain.vault.model import KeyState, SealedKind, SealedScope

log = logging.getLogger("atlas.vault")

DEFAULT_BATCH: Final = 200


class ReencryptionReport(msgspec.Struct, frozen=True, kw_only=True):
    """Counted in rows: an API key, or one connection's pair of OAuth tokens."""

    resealed: int
    unreadable: int  # rows that failed to open: they keep their old version until deleted
    remaining: int  # rows still under a decrypt-only version when the run ended


def _repository(uow: VaultUnitOfWork, kind: SealedKind) -> ResealableRepository[Any]:
    repositories: dict[SealedKind, ResealableRepository[Any]] = {
        SealedKind.API_KEYS: uow.api_keys,
        SealedKind.OAUTH_TOKENS: uow.oauth_tokens,
    }
    return repositories[kind]


def _reencrypted(kind: str, version: int, count: int) -> AuditEntry:
    return AuditEntry(
        action=AuditAction.VAULT_REENCRYPTED, target_type="sealed_values", target_id=kind,
        details={"from_version": str(version), "values": str(count)},
    )  # fmt: skip


@final
class ReencryptSealedValues:
    def __init__(
        self,
        keyring: KeyRing,
        key_versions: KeyVersionRepository,
        uow_for: Callable[[Scope], VaultUnitOfWork],
        vault: Vault,
        *,
        batch_size: int = DEFAULT_BATCH,
    ) -> None:
        self._keyring, self._key_versions = keyring, key_versions
        self._uow_for, self._vault, self._batch = uow_for, vault, batch_size

    async def pending(self) -> int:
        """How many rows hold values sealed under a version that no longer seals."""
        total = 0
        for version in await self._old_versions():
            total += sum(scope.values for scope in await self._usage(version))
        return total

    async def execute(self, progress: Callable[[int], None] = lambda _: None) -> ReencryptionReport:
        resealed = unreadable = 0
        for version in await self._old_versions():
            for scope in await self._usage(version):
                done, failed = await self._scope(version, scope, progress)
                resealed, unreadable = resealed + done, unreadable + failed
        return ReencryptionReport(
            resealed=resealed, unreadable=unreadable, remaining=await self.pending()
        )

    async def _old_versions(self) -> list[int]:
        versions = await self._keyring.versions()
        return [v.version for v in versions if v.state is KeyState.DECRYPT_ONLY]

    async def _usage(self, version: int) -> list[SealedScope]:
        return await self._key_versions.usage(version)

    async def _scope(
        self, version: int, scope: SealedScope, progress: Callable[[int], None]
    ) -> tuple[int, int]:
        # Re-sealing is the vault's upkeep, not the tenant's writing: a pending tenant too.
        bound = Scope(tenant_id=scope.tenant_id, user_id=scope.user_id).despite_pending_deletion()
        after: UUID | None = None
        done = failed = 0
        while True:
            async with self._uow_for(bound) as uow:
                repository = _repository(uow, scope.kind)
                rows = await repository.sealed_under(version, after=after, limit=self._batch)
                before = done
                for row in rows:
                    resealed = await self._reseal(row)
                    if resealed is None:
                        failed += 1
                        log.warning(
                            "%s row %s does not open; left under version %d",
                            scope.kind.value,
                            row.record_id,
                            version,
                        )
                    elif await repository.replace_sealed(row, resealed):
                        done += 1
                if (
                    done > before
                ):  # key rotation is deployment-wide; each tenant hears of its values
                    uow.audit.record(_reencrypted(scope.kind.value, version, done - before))
                await uow.commit()
            progress(len(rows))
            if len(rows) < self._batch:
                return done, failed
            after = rows[-1].record_id  # past what failed to open, so the loop always ends

    async def _reseal(self, row: R) -> R | None:
        values = row.sealed_values()
        try:
            opened = [await self._vault.open(sealed, binding) for binding, sealed in values]
        except CredentialUnreadable:
            return None
        resealed = await self._vault.seal_all(
            [(plain, binding) for plain, (binding, _) in zip(opened, values, strict=True)]
        )
        return row.resealed(resealed)
