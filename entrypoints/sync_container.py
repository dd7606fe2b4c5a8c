"""The sync context's adapters both adapter sets share, and its use cases."""

from __future__ import annotations

import asyncio
from typing import Any

from dependency_injector import containers, providers

from adapters.connectors.catalog import CONNECTORS
from adapters.connectors.original_readers import ORIGINALS
from adapters.connectors.originals import ProviderOriginals
from adapters.connectors.readers import ProviderReaders
from adapters.metrics.prometheus import PrometheusMetrics
from application.sync.policy import SyncPolicy
from application.sync.queries import (
    ListConnectionSyncs,
    ListSyncRuns,
    ShowConnectionSync,
    ShowSyncRun,
    SyncStatus,
)
from application.sync.request_sync import RequestSync
from application.sync.run_sync import RunSync
from application.sync.schedule_due import ScheduleDueSyncs
from application.sync.share_connection import ShareConnection
from application.sync.sync_settings import ChangeSyncSettings
from entrypoints.settings import Settings


class SyncAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Dependency(instance_of=object)
    provider_http = providers.Dependency(instance_of=object)

    # How a connector waits between retries; tests hand it a clock to move instead of time.
    connector_sleep = providers.Object(asyncio.sleep)
    # The process's operator metrics (served by entrypoints/metrics_listener.py).
    metrics = providers.Singleton(PrometheusMetrics)
    source_readers = providers.Singleton(
        ProviderReaders,
        provider_http,
        clock,
        CONNECTORS,
        deadline_seconds=settings.provided.sync.call_deadline_seconds,
        sleep=connector_sleep,
        metrics=metrics,
    )
    # Originals on demand read through the same client, a record at a time.
    original_source = providers.Singleton(
        ProviderOriginals, provider_http, clock, ORIGINALS, CONNECTORS,
        sleep=connector_sleep, metrics=metrics,
    )  # fmt: skip
    policy = providers.Singleton(
        SyncPolicy, interval_seconds=settings.provided.sync.interval_seconds
    )


class SyncUseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer(sync=providers.DependenciesContainer())
    integrations = providers.DependenciesContainer()
    _shared: Any = adapters.sync

    request_sync = providers.Factory(RequestSync, uow_for=adapters.sync_uow, clock=adapters.clock)
    run_sync = providers.Factory(
        RunSync,
        uow_for=adapters.sync_uow,
        readers=_shared.source_readers,
        tokens=integrations.connection_tokens,
        clock=adapters.clock,
        policy=_shared.policy,
        metrics=_shared.metrics,
    )
    schedule_due_syncs = providers.Factory(
        ScheduleDueSyncs, census=adapters.sync_census, request=request_sync, clock=adapters.clock
    )
    change_sync_settings = providers.Factory(ChangeSyncSettings, uow_for=adapters.sync_uow)
    share_connection = providers.Factory(ShareConnection, uow_for=adapters.sync_uow)
    show_connection_sync = providers.Factory(ShowConnectionSync, uow_for=adapters.sync_uow)
    list_connection_syncs = providers.Factory(ListConnectionSyncs, uow_for=adapters.sync_uow)
    list_sync_runs = providers.Factory(ListSyncRuns, uow_for=adapters.sync_uow)
    show_sync_run = providers.Factory(ShowSyncRun, uow_for=adapters.sync_uow)
    sync_status = providers.Factory(
        SyncStatus, census=adapters.sync_census, uow_for=adapters.sync_uow
    )
