"""The realtime feed's adapters: the outbox readers, this process's hub and its listener."""

from __future__ import annotations

from typing import Any

from dependency_injector import containers, providers

from adapters.fakes.feed import FakeMemberFeed, FakeTenantFeed, notices_of
from adapters.fakes.store import InMemoryStore
from adapters.postgres.feed import PostgresFeedRetention, PostgresMemberFeed, PostgresTenantFeed
from adapters.postgres.feed_listener import FeedListener
from adapters.postgres.url import DatabaseUrl
from application.feed.hub import FeedHub
from application.feed.ports import TenantFeed


class FeedAdapters(containers.DeclarativeContainer):
    sessions: providers.Dependency[Any] = providers.Dependency()
    url = providers.Dependency(instance_of=DatabaseUrl)

    tenant_feed = providers.Singleton(PostgresTenantFeed, sessions)
    member_feed = providers.Singleton(PostgresMemberFeed, sessions)
    retention = providers.Singleton(PostgresFeedRetention, sessions)
    hub = providers.Singleton(FeedHub, tenant_feed)
    listener = providers.Singleton(FeedListener, url, hub)


def _hub_on_store(store: InMemoryStore, feed: TenantFeed) -> FeedHub:
    """In memory, a commit tells the hub directly what NOTIFY tells it on PostgreSQL."""
    hub = FeedHub(feed)
    notices_of(store).listeners.append(hub.notice)
    return hub


class FakeFeedAdapters(containers.DeclarativeContainer):
    store = providers.Dependency(instance_of=InMemoryStore)

    tenant_feed = providers.Singleton(FakeTenantFeed, store)
    member_feed = providers.Singleton(FakeMemberFeed, store)
    retention: providers.Object[None] = providers.Object(None)
    hub = providers.Singleton(_hub_on_store, store, tenant_feed)
    listener: providers.Object[None] = providers.Object(None)
