"""The composition root: the only place adapters are chosen and wired to use cases."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime
from functools import partial

from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.crypto.aesgcm_vault import AesGcmVault
from adapters.crypto.vault_alerts import LoggingKeyUsageAlerts
from adapters.exporters.spool import ExportSpool
from adapters.fakes.access_tokens import FakeAccessTokens
from adapters.fakes.clock import FrozenClock
from adapters.fakes.email import FakeEmailSender
from adapters.fakes.graph import FakeGraphUnitOfWork
from adapters.fakes.graph_purge import FakeGraphPurgeUnitOfWork
from adapters.fakes.graph_sequences import FakeProcessMaps
from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.integrations import FakeIntegrationsUnitOfWork
from adapters.fakes.originals import FakeOriginalsUnitOfWork
from adapters.fakes.passwords import FakePasswordHasher
from adapters.fakes.probe import FakeDatabaseProbe
from adapters.fakes.rate_limiter import InMemoryRateLimiter
from adapters.fakes.store import InMemoryStore
from adapters.fakes.sync import FakeSyncCensus, FakeSyncUnitOfWork
from adapters.fakes.vault import (
    FakeKeyVersions,
    FakeVaultUnitOfWork,
    RecordingKeyUsageAlerts,
    instant_kdf,
    throwaway_master_secret,
)
from adapters.importers.formats import MAX_INFLATED_BYTES, MAX_UPLOAD_BYTES, SniffingParser
from adapters.importers.slots import Slots
from adapters.postgres.engine import open_engine, session_factory
from adapters.postgres.graph_maps import PostgresProcessMaps
from adapters.postgres.graph_purge import PostgresGraphPurgeUnitOfWork
from adapters.postgres.graph_uow import PostgresGraphUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.integrations import PostgresIntegrationsUnitOfWork
from adapters.postgres.migrate import head_revision
from adapters.postgres.originals import PostgresOriginalsUnitOfWork
from adapters.postgres.probe import PostgresDatabaseProbe
from adapters.postgres.rate_limits import PostgresRateLimiter
from adapters.postgres.sync_uow import PostgresSyncCensus, PostgresSyncUnitOfWork
from adapters.postgres.vault import PostgresVaultUnitOfWork
from adapters.postgres.vault_keys import PostgresKeyVersions
from application.graph.export import ExportGraph
from application.graph.fetch_original import FetchOriginal
from application.graph.importing import ImportLog
from application.graph.ingest import IngestGraph
from application.graph.map_cases import ExploreProcessMap
from application.graph.process_map import GetProcessMap
from application.graph.queries import GetEntity, ListActivities, ListEntities
from application.graph.undo_merge import UndoMerge
from application.shared.check_readiness import CheckReadiness
from entrypoints import identity_wiring as identity
from entrypoints import personal_data_container as gdpr
from entrypoints import tenant_deletion_container as td
from entrypoints.audit_container import AuditUseCases, fake_audit_chains, real_audit_chains
from entrypoints.database import DatabaseEndpoints
from entrypoints.feed_container import FakeFeedAdapters, FeedAdapters
from entrypoints.http.links import reconnect_link
from entrypoints.identity_container import IdentityUseCases
from entrypoints.imports_container import (
    FakeImportQueue,
    ImportUseCases,
    fake_imports_uow,
    real_imports_uow,
    run_fake_imports,
)
from entrypoints.integrations_container import IntegrationsAdapters, IntegrationsUseCases
from entrypoints.sandbox import development_sandbox
from entrypoints.settings import Settings
from entrypoints.sync_container import SyncAdapters, SyncUseCases
from entrypoints.vault import master_secret, open_keyring
from entrypoints.vault_container import VaultUseCases


class RealAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    endpoints = providers.Dependency(instance_of=DatabaseEndpoints)

    engine = providers.Resource(open_engine, url=endpoints.provided.app)
    sessions = providers.Singleton(session_factory, engine)
    identity_uow = providers.Singleton(partial, PostgresIdentityUnitOfWork, sessions)
    personal_data_uow = providers.Singleton(gdpr.postgres_uow, sessions)
    database_probe = providers.Singleton(
        PostgresDatabaseProbe, engine, expected_revision=providers.Callable(head_revision)
    )
    clock = providers.Singleton(SystemClock)
    # Provider sandbox (development only; create_app mounts it when settings.sandbox is on).
    sandbox = providers.Singleton(development_sandbox, settings=settings, clock=clock)

    # Identity (issue 3)
    access_tokens = providers.Resource(identity.jwt_access_tokens, settings, clock)
    password_hasher = providers.Resource(identity.password_hasher, settings)
    rate_limiter = providers.Singleton(
        PostgresRateLimiter, sessions, providers.Callable(identity.rate_limit_key, settings), clock
    )
    email = providers.Singleton(identity.email_sender, settings)
    session_policy = providers.Callable(identity.session_policy, settings)
    residency = providers.Callable(identity.residency, settings)
    accept_link = providers.Callable(identity.accept_link, settings)

    # -- vault: keys derived once at start-up, sealing leased from the key versions table --
    master_secret = providers.Callable(master_secret, settings)
    key_versions = providers.Singleton(PostgresKeyVersions, sessions)
    key_alerts = providers.Singleton(LoggingKeyUsageAlerts)
    keyring = providers.Resource(open_keyring, master_secret, key_versions, clock, key_alerts)
    vault = providers.Singleton(AesGcmVault, keyring)
    vault_uow = providers.Singleton(partial, PostgresVaultUnitOfWork, sessions)

    # --- graph ---
    graph_uow = providers.Singleton(partial, PostgresGraphUnitOfWork, sessions)
    originals_uow = providers.Singleton(partial, PostgresOriginalsUnitOfWork, sessions)
    process_maps = providers.Singleton(
        PostgresProcessMaps, sessions, budget=settings.provided.map_cache_bytes
    )
    imports_uow = providers.Singleton(real_imports_uow, sessions)
    import_slots = providers.Singleton(Slots.for_imports)
    export_spool = providers.Singleton(ExportSpool.for_exports)

    # --- integrations (issue 5) ---
    integrations_uow = providers.Singleton(partial, PostgresIntegrationsUnitOfWork, sessions)
    graph_purge_uow = providers.Singleton(partial, PostgresGraphPurgeUnitOfWork, sessions)
    integrations = providers.Container(
        IntegrationsAdapters, settings=settings, sandbox=sandbox.provider, clock=clock
    )

    # --- sync (issue 9) ---
    sync_uow = providers.Singleton(partial, PostgresSyncUnitOfWork, sessions)
    sync_census = providers.Singleton(PostgresSyncCensus, sessions)
    sync = providers.Container(
        SyncAdapters, settings=settings, clock=clock, provider_http=integrations.provider_http
    )
    original_source = sync.original_source  # the connectors' single-record reads
    metrics = sync.metrics

    # --- the realtime feed (issue 11) ---
    feed = providers.Container(FeedAdapters, sessions=sessions, url=endpoints.provided.app)
    audit_chains = providers.Singleton(real_audit_chains, sessions)
    feed_hub = feed.hub
    member_feed = feed.member_feed
    tenant_deletion = providers.Container(td.PostgresAdapters, sessions=sessions)


class FakeAdapters(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    store = providers.Singleton(InMemoryStore)
    identity_uow = providers.Singleton(partial, FakeIdentityUnitOfWork, store)
    personal_data_uow = providers.Singleton(gdpr.fake_uow, store)
    database_probe = providers.Singleton(FakeDatabaseProbe)
    clock = providers.Singleton(FrozenClock, at=providers.Callable(datetime.now, UTC))
    access_tokens = providers.Singleton(FakeAccessTokens, clock)
    sandbox = providers.Singleton(development_sandbox, settings=settings, clock=clock)

    # Identity (issue 3)
    password_hasher = providers.Singleton(FakePasswordHasher)
    rate_limiter = providers.Singleton(InMemoryRateLimiter, clock)
    email = providers.Singleton(FakeEmailSender)
    session_policy = providers.Callable(identity.session_policy, settings)
    residency = providers.Callable(identity.residency, settings)
    accept_link = providers.Callable(identity.accept_link, settings)

    # -- vault: real AES-GCM over in-memory tables; a stand-in KDF keeps start-up instant --
    master_secret = providers.Singleton(throwaway_master_secret)
    key_versions = providers.Singleton(FakeKeyVersions, store)
    key_alerts = providers.Singleton(RecordingKeyUsageAlerts)
    keyring = providers.Resource(
        open_keyring, master_secret, key_versions, clock, key_alerts, kdf=instant_kdf
    )
    vault = providers.Singleton(AesGcmVault, keyring)
    vault_uow = providers.Singleton(partial, FakeVaultUnitOfWork, store)

    # --- graph ---
    graph_uow = providers.Singleton(partial, FakeGraphUnitOfWork, store)
    originals_uow = providers.Singleton(partial, FakeOriginalsUnitOfWork, store)
    process_maps = providers.Singleton(FakeProcessMaps, store)
    import_queue = providers.Singleton(FakeImportQueue, store)
    imports_uow = providers.Singleton(fake_imports_uow, store, import_queue)
    import_slots = providers.Singleton(Slots.for_imports)
    export_spool = providers.Singleton(ExportSpool.for_exports)

    # --- integrations (issue 5): the real OAuth client, talking to the sandbox in-process ---
    integrations_uow = providers.Singleton(partial, FakeIntegrationsUnitOfWork, store)
    graph_purge_uow = providers.Singleton(partial, FakeGraphPurgeUnitOfWork, store)
    integrations = providers.Container(
        IntegrationsAdapters, settings=settings, sandbox=sandbox.provider, clock=clock
    )

    # --- sync (issue 9): the real connectors, talking to the sandbox in-process ---
    sync_uow = providers.Singleton(partial, FakeSyncUnitOfWork, store)
    sync_census = providers.Singleton(FakeSyncCensus, store)
    sync = providers.Container(
        SyncAdapters, settings=settings, clock=clock, provider_http=integrations.provider_http
    )
    original_source = sync.original_source  # the connectors' single-record reads
    metrics = sync.metrics

    feed = providers.Container(FakeFeedAdapters, store=store)
    audit_chains = providers.Singleton(fake_audit_chains, store)
    feed_hub = feed.hub
    member_feed = feed.member_feed
    tenant_deletion = providers.Container(td.FakeAdapters, store=store)


class UseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()

    check_readiness = providers.Factory(CheckReadiness, probe=adapters.database_probe)
    # --- integrations (issue 5) ---
    integrations = providers.Container(IntegrationsUseCases, adapters=adapters)
    identity = providers.Container(
        IdentityUseCases, adapters=adapters, departure=integrations.member_departure
    )
    personal_data = providers.Container(gdpr.PersonalData, adapters=adapters, identity=identity)

    # -- vault (entrypoints/vault_container.py); the names callers use stay here --
    vault = providers.Container(VaultUseCases, adapters=adapters)
    store_api_key, list_api_keys = vault.store_api_key, vault.list_api_keys
    delete_api_key, open_api_key = vault.delete_api_key, vault.open_api_key
    oauth_tokens, rotate_vault_key = vault.oauth_tokens, vault.rotate_vault_key
    retire_vault_key, show_vault_keys = vault.retire_vault_key, vault.show_vault_keys
    reencrypt_sealed_values = vault.reencrypt_sealed_values

    # --- graph ---
    ingest_graph = providers.Factory(IngestGraph, uow_for=adapters.graph_uow, clock=adapters.clock)
    get_process_map = providers.Factory(
        GetProcessMap, maps=adapters.process_maps, uow_for=adapters.graph_uow
    )
    explore_process_map = providers.Factory(
        ExploreProcessMap, maps=adapters.process_maps, uow_for=adapters.graph_uow
    )
    import_log = providers.Factory(
        ImportLog,
        uow_for=adapters.graph_uow,
        clock=adapters.clock,
        parsers=providers.Object(partial(SniffingParser, max_inflated=MAX_INFLATED_BYTES)),
        max_bytes=MAX_UPLOAD_BYTES,
    )
    imports = providers.Container(ImportUseCases, adapters=adapters, import_log=import_log)
    export_graph = providers.Factory(ExportGraph, uow_for=adapters.graph_uow)
    list_entities = providers.Factory(ListEntities, uow_for=adapters.graph_uow)
    get_entity = providers.Factory(GetEntity, uow_for=adapters.graph_uow)
    list_activities = providers.Factory(ListActivities, uow_for=adapters.graph_uow)
    undo_merge = providers.Factory(UndoMerge, uow_for=adapters.graph_uow, clock=adapters.clock)

    audit = providers.Container(AuditUseCases, adapters=adapters)  # compliance (issue 13)
    # --- sync (issue 9) ---
    sync = providers.Container(SyncUseCases, adapters=adapters, integrations=integrations)
    tenant_deletion = providers.Container(td.UseCases, adapters=adapters, integrations=integrations)

    # --- originals on demand (issue 10): the owner's token, the connectors' single reads ---
    fetch_original = providers.Factory(
        FetchOriginal,
        uow_for=adapters.originals_uow,
        integrations_uow=adapters.integrations_uow,
        census=adapters.sync_census,
        tokens=integrations.connection_tokens,
        source=adapters.original_source,
        clock=adapters.clock,
        reconnect_link=providers.Object(reconnect_link),
    )


class Application(containers.DeclarativeContainer):
    """What the HTTP app and the CLI are given: settings, one adapter set, the use cases."""

    settings = providers.Dependency(instance_of=Settings)
    adapters = providers.DependenciesContainer()
    use_cases = providers.Container(UseCases, adapters=adapters)


def real_container(settings: Settings, endpoints: DatabaseEndpoints) -> Application:
    adapters = RealAdapters(settings=settings, endpoints=endpoints)
    return Application(settings=settings, adapters=adapters)


def fake_container(settings: Settings) -> Application:
    container = Application(settings=settings, adapters=FakeAdapters(settings=settings))
    run_fake_imports(container.adapters, container.use_cases.imports)
    return container


async def start(container: Application) -> None:
    result = container.adapters().init_resources()
    if inspect.isawaitable(result):
        await result


async def stop(container: Application) -> None:
    result = container.adapters().shutdown_resources()
    if inspect.isawaitable(result):
        await result
