"""The in-process harness: the whole app on fakes, no database, no network."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from litestar import Litestar

from adapters.fakes.identity_sessions import SessionTables
from adapters.fakes.store import IdentityTables, InMemoryStore
from application.shared.actor import Actor
from domain.identity.model import Membership, User
from domain.identity.sessions import RefreshFamily, SessionPolicy
from domain.shared.secret import Secret
from entrypoints.container import Application, fake_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings, load_settings


def harness_settings(tmp_path: Path, **environ: str) -> Settings:
    return load_settings(environ, cwd=tmp_path)


def build(settings: Settings) -> tuple[Litestar, Application]:
    container = fake_container(settings)
    return create_app(container), container


def bearer(container: Application, actor: Actor) -> dict[str, str]:
    """Headers that authenticate as ``actor`` in the fake harness.

    Every request confirms its session and membership in the store, so this signs the actor in
    for real there: a membership with the actor's role and a live session family.
    """
    adapters = container.adapters()
    open_session(adapters.store(), actor, adapters.clock().now(), adapters.session_policy())
    token = adapters.access_tokens().issue(actor)
    return {"Authorization": f"Bearer {token}"}


def open_session(store: InMemoryStore, actor: Actor, at: datetime, policy: SessionPolicy) -> None:
    identity = store.tables.of(IdentityTables)
    # The account too, as the database's foreign keys demand, with its address verified: an
    # actor made up here invites and connects like a real verified account.
    identity.users.setdefault(
        actor.user_id,
        User(
            id=actor.user_id,
            email=f"person-{actor.user_id.hex[:12]}@harness.example",
            name="Harness Person",
            password_hash=Secret("not a hash: this account never signs in"),
            created_at=at,
            email_verified_at=at,
        ),
    )
    identity.memberships[(actor.tenant_id, actor.user_id)] = Membership(
        tenant_id=actor.tenant_id, user_id=actor.user_id, role=actor.role, created_at=at
    )
    family = RefreshFamily.start(
        id=actor.session_id, tenant_id=actor.tenant_id, user_id=actor.user_id, at=at, policy=policy
    )
    store.tables.of(SessionTables).families[(actor.tenant_id, actor.session_id)] = family
