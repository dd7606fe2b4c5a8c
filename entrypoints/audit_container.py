"""The audit trail's wiring (issue 13): its readers on PostgreSQL or in memory, its use cases."""

from __future__ import annotations

from dependency_injector import containers, providers
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from adapters.fakes.audit_trail import FakeAuditChains
from adapters.fakes.store import InMemoryStore
from adapters.postgres.audit_trail import PostgresAuditChains
from application.compliance.ports import AuditChains
from application.compliance.read_audit import ExportAuditTrail, ListAuditEvents


def real_audit_chains(sessions: async_sessionmaker[AsyncSession]) -> AuditChains:
    return PostgresAuditChains(sessions)


def fake_audit_chains(store: InMemoryStore) -> AuditChains:
    return FakeAuditChains(store)


class AuditUseCases(containers.DeclarativeContainer):
    adapters = providers.DependenciesContainer()

    list_audit_events = providers.Factory(ListAuditEvents, chains=adapters.audit_chains)
    export_audit_trail = providers.Factory(ExportAuditTrail, chains=adapters.audit_chains)
