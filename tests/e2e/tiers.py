"""One HTTP test body, two stacks: the fast fake tier and the real tier.

The real tier is the real container (PostgreSQL under row security as the unprivileged app
role, the columnar process maps, EdDSA tokens, the vault) over a database of its own, copied
from the session's throwaway cluster's migrated template. Three adapters are swapped there:
email lands in an outbox the test reads; passwords hash with the fake hasher, because bcrypt at
cost 12 on a shared two-core machine would be most of the run; and the limiter is lifted (on
both tiers), because every request comes from the one test client's address and a module
signs up more people than an address may in an hour. The identity tests cover those three on
the real stack (tests/e2e/test_identity_real.py, test_audit_real.py).

A real stack takes seconds to start (the vault's key derivation), so a module shares one per
tier: import ``stack`` and ``tier`` (the fixtures) and sign new people up in each test through
``stack.people`` (a new tenant each time, so tests stay apart). ``tier.stack(path)`` opens one
more where a test needs its own.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar
from uuid import UUID, uuid4

import pytest
from dependency_injector import providers
from litestar import Litestar
from litestar.testing import AsyncTestClient

from adapters.fakes.email import FakeEmailSender
from adapters.fakes.passwords import FakePasswordHasher
from adapters.fakes.rate_limiter import NoLimits
from adapters.postgres.throwaway import ThrowawayDatabase
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.identity.model import Role
from domain.shared.ids import TenantId, UserId, new_tenant_id, new_user_id
from entrypoints.container import Application, real_container
from entrypoints.database import DatabaseEndpoints
from entrypoints.http.app import create_app
from entrypoints.settings import load_settings
from tests.conftest import fresh_copy
from tests.e2e import harness, identity_http

TIERS = ["fake", "real"]
Done = TypeVar("Done")


async def resolved(provided: Any) -> Any:
    """What a container's provider gave: on the real container, whatever depends on an async
    resource (the engine, the keyring) comes as an awaitable."""
    return await provided if inspect.isawaitable(provided) else provided


async def in_app(client: AsyncTestClient[Any], work: Callable[[], Awaitable[Done]]) -> Done:
    """Run ``work`` on the app's event loop (the test client's portal): the real container's
    pools belong to that loop, so a use case called from a test must run there."""
    return await asyncio.to_thread(client.blocking_portal.call, work)


@dataclass(frozen=True)
class Person:
    """Someone signed in: the headers their requests carry, their tenant and user, their role."""

    headers: dict[str, str]
    scope: Scope
    role: Role

    @property
    def tenant_id(self) -> TenantId:
        assert self.scope.tenant_id is not None  # a person belongs to a tenant
        return self.scope.tenant_id


class People(Protocol):
    async def sign_up(self, role: Role = Role.OWNER) -> Person:
        """A person of a new tenant, with ``role`` there."""

    async def colleague(self, of: Person, role: Role) -> Person:
        """A person of ``of``'s tenant with ``role``."""


@dataclass
class Stack:
    tier: str
    app: Litestar
    client: AsyncTestClient[Any]
    container: Application
    people: People
    outbox: FakeEmailSender


class FakePeople:
    """Signs people in straight into the fake store (harness.bearer): no HTTP round trip."""

    def __init__(self, container: Application) -> None:
        self._container = container

    async def sign_up(self, role: Role = Role.OWNER) -> Person:
        return self._person(new_tenant_id(), role)

    async def colleague(self, of: Person, role: Role) -> Person:
        return self._person(of.tenant_id, role)

    def _person(self, tenant_id: TenantId, role: Role) -> Person:
        actor = Actor(tenant_id=tenant_id, user_id=new_user_id(), role=role, session_id=uuid4())
        return Person(harness.bearer(self._container, actor), actor.scope, role)


@dataclass
class RealPeople:
    """Signs people up and in over HTTP: an owner per tenant, who invites the others. One
    person per tenant and role is enough for these tests and keeps clear of the limiter."""

    client: AsyncTestClient[Any]
    outbox: FakeEmailSender
    _owners: dict[TenantId, dict[str, Any]] = field(default_factory=dict)
    _known: dict[tuple[TenantId, Role], Person] = field(default_factory=dict)

    async def sign_up(self, role: Role = Role.OWNER) -> Person:
        tokens = await identity_http.sign_up_verified(self.client, self.outbox.sent)
        owner = self._remember(tokens, Role.OWNER)
        self._owners[owner.tenant_id] = tokens
        return owner if role == Role.OWNER else await self.colleague(owner, role)

    async def colleague(self, of: Person, role: Role) -> Person:
        if (of.tenant_id, role) not in self._known:
            email = f"{role.value}-{uuid4().hex[:10]}@example.com"
            owner = self._owners[of.tenant_id]
            joined = await identity_http.join(
                self.client, self.outbox.sent, owner, role.value, email
            )
            self._remember(joined, role)
        return self._known[(of.tenant_id, role)]

    def _remember(self, tokens: dict[str, Any], role: Role) -> Person:
        tenant_id, user_id = TenantId(UUID(tokens["tenant_id"])), UserId(UUID(tokens["user_id"]))
        person = Person(
            identity_http.bearer(tokens), Scope(tenant_id=tenant_id, user_id=user_id), role
        )
        self._known[(tenant_id, role)] = person
        return person


@dataclass(frozen=True)
class Tier:
    name: str
    database: ThrowawayDatabase | None = None
    template: str | None = None

    @asynccontextmanager
    async def stack(self, data_dir: Path) -> AsyncIterator[Stack]:
        if self.database is None or self.template is None:
            app, container = harness.build(harness.harness_settings(data_dir))
            container.adapters.rate_limiter.override(providers.Object(NoLimits()))
            async with AsyncTestClient(app) as client:
                outbox = container.adapters.email()
                yield Stack(self.name, app, client, container, FakePeople(container), outbox)
            return
        async with fresh_copy(self.database, self.template) as fresh:
            container = real_application(fresh.app, data_dir)
            outbox = container.adapters.email()
            # With its worker, as `atlas up` runs: imports are jobs on the queue.
            app = create_app(container, with_worker=True)
            async with AsyncTestClient(app) as client:
                yield Stack(self.name, app, client, container, RealPeople(client, outbox), outbox)


def real_application(app_url: Any, data_dir: Path) -> Application:
    """The real container with the swaps the module docstring explains."""
    settings = load_settings({"ATLAS_PASSWORD_HASH_CONCURRENCY": "2"}, cwd=data_dir)
    container = real_container(settings, DatabaseEndpoints(app=app_url, owner=None))
    container.adapters.email.override(providers.Object(FakeEmailSender()))
    container.adapters.password_hasher.override(providers.Object(FakePasswordHasher()))
    container.adapters.rate_limiter.override(providers.Object(NoLimits()))
    return container


@pytest.fixture(scope="module", params=TIERS)
def tier(request: pytest.FixtureRequest) -> Tier:
    """The fake tier starts nothing; the real one the session's throwaway cluster (once)."""
    if request.param == "fake":
        return Tier("fake")
    database = request.getfixturevalue("database")
    return Tier("real", database, request.getfixturevalue("migrated_template"))


@pytest.fixture(scope="module")
async def stack(tier: Tier, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Stack]:
    """One stack per module and tier."""
    async with tier.stack(tmp_path_factory.mktemp(f"stack-{tier.name}")) as opened:
        yield opened
