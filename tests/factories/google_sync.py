"""What the Gmail and Calendar sync tests look at: the calls a connector made, the records it
stored for one connection, and whether any content reached them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import msgspec
import pytest

from adapters.connectors.api import ApiResponse, ProviderApi
from domain.graph.model import Activity, Entity, SourceRef, record_id
from tests.factories.sync_rig import SyncRig


@dataclass(frozen=True)
class Call:
    url: str
    params: tuple[tuple[str, str], ...]

    def path(self) -> str:
        return self.url.split("/google/", 1)[-1]

    def values(self, name: str) -> list[str]:
        return [v for k, v in self.params if k == name]


@contextmanager
def recorded_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Call]]:
    """Every provider call a connector makes (asked, whatever the answer) while inside."""
    calls: list[Call] = []
    original = ProviderApi.call

    async def call(self: ProviderApi, method: str, url: str, **kwargs: Any) -> ApiResponse:
        params = kwargs.get("params") or ()
        pairs = params.items() if isinstance(params, dict) else params
        calls.append(Call(url=url, params=tuple((str(k), str(v)) for k, v in pairs)))
        return await original(self, method, url, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(ProviderApi, "call", call)
        yield calls


def activities_of(rig: SyncRig, connection: UUID, type: str | None = None) -> list[Activity]:
    return [a for a in rig.activities(type) if a.ref.scope == str(connection)]


def entities_of(rig: SyncRig, connection: UUID, type: str | None = None) -> list[Entity]:
    return [e for e in rig.entities(type) if e.ref.scope == str(connection)]


def entity_id(rig: SyncRig, provider: str, connection: UUID, source_id: str) -> UUID:
    assert rig.actor.tenant_id is not None
    ref = SourceRef(provider=provider, scope=str(connection), source_id=source_id)
    return record_id(rig.actor.tenant_id, "entity", ref)


def canaries_stored(rig: SyncRig) -> list[str]:
    """The dataset's canaries found anywhere in the tenant's stored entities and activities."""
    stored = msgspec.json.encode([*rig.entities(), *rig.activities()]).decode()
    found = [c for c in rig.sandbox.dataset.canaries if c in stored]
    return found + (["ATLAS-CANARY-"] if "ATLAS-CANARY-" in stored and not found else [])
