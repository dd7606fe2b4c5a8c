"""The actor dependency and role guards: who comes from the token, liveness and role from the
database, and the tenant never from the request."""

from __future__ import annotations

from pathlib import Path
from uuid import uuid4

import msgspec
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.testing import AsyncTestClient

from adapters.fakes.identity_sessions import SessionTables
from adapters.fakes.store import IdentityTables
from application.identity.sessions import CONFIRMATION_TTL
from application.shared.actor import Actor
from domain.identity.model import Role
from domain.identity.sessions import RevocationReason
from domain.shared.ids import new_tenant_id, new_user_id
from entrypoints.container import Application, fake_container
from entrypoints.http.auth import (
    CONFIRMER_STATE_KEY,
    VERIFIER_STATE_KEY,
    actor_dependency,
    requires_role,
)
from entrypoints.http.errors import exception_handlers
from tests.e2e.harness import bearer, harness_settings


@get("/whoami")
async def whoami(actor: NamedDependency[Actor]) -> dict[str, str]:
    return {"tenant": str(actor.tenant_id), "role": actor.role.value}


@get("/admin-only", guards=[requires_role(Role.OWNER, Role.ADMIN)])
async def admin_only(actor: NamedDependency[Actor]) -> dict[str, str]:
    return {"ok": str(actor.user_id)}


def _app(tmp_path: Path) -> tuple[Litestar, Application]:
    container = fake_container(harness_settings(tmp_path))
    app = Litestar(
        route_handlers=[whoami, admin_only],
        dependencies={"actor": actor_dependency()},
        state=State(
            {
                VERIFIER_STATE_KEY: container.adapters.access_tokens,
                CONFIRMER_STATE_KEY: container.use_cases.identity.confirm_session,
            }
        ),
        exception_handlers=exception_handlers(),
    )
    return app, container


def _actor(role: Role) -> Actor:
    return Actor(tenant_id=new_tenant_id(), user_id=new_user_id(), role=role, session_id=uuid4())


async def test_a_verified_token_yields_its_actor_and_nothing_else_does(tmp_path: Path) -> None:
    app, container = _app(tmp_path)
    member = _actor(Role.MEMBER)
    headers = bearer(container, member)
    token = headers["Authorization"].removeprefix("Bearer ")

    async with AsyncTestClient(app) as client:
        ok = await client.get("/whoami", headers=headers)
        missing = await client.get("/whoami")
        wrong_scheme = await client.get("/whoami", headers={"Authorization": f"Basic {token}"})
        forged = await client.get("/whoami", headers={"Authorization": "Bearer forged"})
        tenant_header = await client.get(
            "/whoami", headers={**headers, "X-Tenant-Id": str(new_tenant_id())}
        )

    assert ok.json() == {"tenant": str(member.tenant_id), "role": "member"}
    assert [r.status_code for r in (missing, wrong_scheme, forged)] == [401, 401, 401]
    assert {r.json()["code"] for r in (missing, wrong_scheme, forged)} == {"auth.invalid_token"}
    assert tenant_header.json()["tenant"] == str(member.tenant_id)


async def test_role_guards_refuse_members_and_admit_admins(tmp_path: Path) -> None:
    app, container = _app(tmp_path)
    member = bearer(container, _actor(Role.MEMBER))
    admin = bearer(container, _actor(Role.ADMIN))

    async with AsyncTestClient(app) as client:
        refused = await client.get("/admin-only", headers=member)
        admitted = await client.get("/admin-only", headers=admin)
        anonymous = await client.get("/admin-only")

    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.role_required"
    assert admitted.status_code == 200
    assert anonymous.status_code == 401


async def test_a_still_valid_token_stops_working_when_its_session_ends(tmp_path: Path) -> None:
    app, container = _app(tmp_path)
    admin = _actor(Role.ADMIN)
    headers = bearer(container, admin)
    store = container.adapters().store()
    families = store.tables.of(SessionTables).families
    key = (admin.tenant_id, admin.session_id)

    async with AsyncTestClient(app) as client:
        before = await client.get("/admin-only", headers=headers)
        # Revoked by another process: this one trusts its last confirmation for one second.
        clock = container.adapters().clock()
        families[key] = families[key].revoke(clock.now(), RevocationReason.LOGOUT)
        clock.advance(CONFIRMATION_TTL)
        after = await client.get("/admin-only", headers=headers)

    assert before.status_code == 200
    assert after.status_code == 401
    assert after.json()["code"] == "auth.session_ended"


async def test_the_role_is_the_one_held_now_not_the_one_in_the_token(tmp_path: Path) -> None:
    app, container = _app(tmp_path)
    admin = _actor(Role.ADMIN)
    headers = bearer(container, admin)
    memberships = container.adapters().store().tables.of(IdentityTables).memberships
    key = (admin.tenant_id, admin.user_id)

    async with AsyncTestClient(app) as client:
        clock = container.adapters().clock()
        await client.get("/whoami", headers=headers)  # confirmed and remembered as admin
        memberships[key] = msgspec.structs.replace(memberships[key], role=Role.MEMBER)
        clock.advance(CONFIRMATION_TTL)
        demoted = await client.get("/admin-only", headers=headers)
        seen_as = await client.get("/whoami", headers=headers)
        del memberships[key]
        clock.advance(CONFIRMATION_TTL)
        removed = await client.get("/whoami", headers=headers)

    assert demoted.status_code == 403
    assert seen_as.json()["role"] == "member"
    assert removed.status_code == 401
