"""The in-memory graph tables, and the tenant scoping every fake graph repository applies."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from application.graph.ports import MergeRecord
from application.shared.scope import Scope
from domain.graph.catalog import TypeDeclaration
from domain.graph.model import Activity, ActivityId, Entity, EntityId, Identity, Relationship
from domain.graph.sequence import Occurrence
from domain.shared.errors import ScopeViolation
from domain.shared.ids import TenantId, UserId


@dataclass
class WriteMode:
    """Shared by one unit of work's repositories: whose private records it writes."""

    private_to: UserId | None = None


@dataclass
class GraphTables:
    # Values are immutable (structs, tuples, frozensets): a shallow copy is a snapshot.
    entities: dict[tuple[TenantId, EntityId], Entity] = field(default_factory=dict)
    keys: dict[tuple[TenantId, Identity], frozenset[EntityId]] = field(default_factory=dict)
    relationships: dict[tuple[TenantId, Relationship], None] = field(default_factory=dict)
    activities: dict[tuple[TenantId, ActivityId], Activity] = field(default_factory=dict)
    sequences: dict[tuple[TenantId, EntityId], tuple[str, tuple[Occurrence, ...], int]] = field(
        default_factory=dict
    )
    types: dict[tuple[TenantId, str, str], TypeDeclaration] = field(default_factory=dict)
    merges: dict[tuple[TenantId, UUID], MergeRecord] = field(default_factory=dict)
    versions: dict[TenantId, tuple[int, int]] = field(default_factory=dict)
    # Row security's private_to: whose private row each slot is (absent: the tenant's shared).
    private: dict[tuple[Any, ...], UserId] = field(default_factory=dict)


def visible(tables: GraphTables, scope: Scope, slot: tuple[Any, ...]) -> bool:
    """USING of the private policies: the row is shared, or private to the scope's user."""
    owner = tables.private.get(slot)
    return owner is None or owner == scope.user_id


class Scoped:
    def __init__(self, tables: GraphTables, scope: Scope, writes: WriteMode | None = None) -> None:
        self._t, self._scope = tables, scope
        self._writes = writes or WriteMode()

    def _seen(self, slot: tuple[Any, ...]) -> bool:
        return visible(self._t, self._scope, slot)

    def _stamp(self, slot: tuple[Any, ...]) -> None:
        """WITH CHECK: a row is written shared, or private to the scope's own user."""
        if self._writes.private_to is None:
            self._t.private.pop(slot, None)
        else:
            self._t.private[slot] = self._writes.private_to

    @property
    def _tenant(self) -> TenantId:
        if self._scope.tenant_id is None:  # WITH CHECK: no context, no writes
            raise ScopeViolation()
        return self._scope.tenant_id

    def _mine(self, rows: Mapping[Any, Any]) -> list[tuple[Any, Any]]:
        # USING: only the scope's tenant's rows exist.
        return [
            (k[1:] if len(k) > 2 else k[1], v)
            for k, v in rows.items()
            if k[0] == self._scope.tenant_id and self._seen(k)
        ]
