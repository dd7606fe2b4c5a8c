"""Sync and worker settings: how often connections sync, how workers run and call providers."""

from __future__ import annotations

from typing import Protocol

import msgspec

from domain.sync.schedule import MIN_INTERVAL_SECONDS


class SyncVariables(Protocol):
    sync_interval_seconds: int
    worker_concurrency: int
    worker_heartbeat_seconds: float
    provider_call_deadline_seconds: float


class SyncSettings(msgspec.Struct, frozen=True, kw_only=True):
    interval_seconds: int  # every active connection syncs this often
    worker_concurrency: int  # sync jobs one worker runs at once
    # A job whose worker has not beaten for this long is picked up by another worker. Well
    # above the longest stall of a worker's event loop (a page's normalise-and-write is well
    # under a second; provider waits are awaited, they do not stall the loop).
    heartbeat_seconds: float
    call_deadline_seconds: float  # every provider call, whole: connect, send, wait, read


class SyncSettingsError(ValueError):
    pass


def sync_settings(raw: SyncVariables) -> SyncSettings:
    if raw.sync_interval_seconds < MIN_INTERVAL_SECONDS:
        raise SyncSettingsError(
            f"ATLAS_SYNC_INTERVAL_SECONDS: at least {MIN_INTERVAL_SECONDS} (providers' quotas)"
        )
    if not 1 <= raw.worker_concurrency <= 64:
        raise SyncSettingsError("ATLAS_WORKER_CONCURRENCY: from 1 to 64")
    if not 5 <= raw.worker_heartbeat_seconds <= 3600:
        raise SyncSettingsError("ATLAS_WORKER_HEARTBEAT_SECONDS: from 5 to 3600")
    if not 1 <= raw.provider_call_deadline_seconds <= 300:
        raise SyncSettingsError("ATLAS_PROVIDER_CALL_DEADLINE_SECONDS: from 1 to 300")
    return SyncSettings(
        interval_seconds=raw.sync_interval_seconds,
        worker_concurrency=raw.worker_concurrency,
        heartbeat_seconds=raw.worker_heartbeat_seconds,
        call_deadline_seconds=raw.provider_call_deadline_seconds,
    )
