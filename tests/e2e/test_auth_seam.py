"""The actor dependency and role guards: the tenant comes only from a verified token."""

from __future__ import annotations

from uuid import uuid4

from dependency_injector import providers
from litestar import Litestar, get
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.testing import AsyncTestClient

from adapters.fakes.access_tokens import FakeAccessTokens
from application.shared.actor import Actor
from domain.identity.model import Role
from domain.shared.ids import new_tenant_id, new_user_id
from entrypoints.http.auth import VERIFIER_STATE_KEY, actor_dependency, requires_role
from entrypoints.http.errors import exception_handlers


@get("/whoami")
async def whoami(actor: NamedDependency[Actor]) -> dict[str, str]:
    return {"tenant": str(actor.tenant_id), "role": actor.role.value}


@get("/admin-only", guards=[requires_role(Role.OWNER, Role.ADMIN)])
async def admin_only(actor: NamedDependency[Actor]) -> dict[str, str]:
    return {"ok": str(actor.user_id)}


def _app(tokens: FakeAccessTokens) -> Litestar:
    return Litestar(
        route_handlers=[whoami, admin_only],
        dependencies={"actor": actor_dependency()},
        state=State({VERIFIER_STATE_KEY: providers.Object(tokens)}),
        exception_handlers=exception_handlers(),
    )


def _actor(role: Role) -> Actor:
    return Actor(tenant_id=new_tenant_id(), user_id=new_user_id(), role=role, session_id=uuid4())


async def test_a_verified_token_yields_its_actor_and_nothing_else_does() -> None:
    tokens = FakeAccessTokens()
    member = _actor(Role.MEMBER)
    token = tokens.issue(member)

    async with AsyncTestClient(_app(tokens)) as client:
        ok = await client.get("/whoami", headers={"Authorization": f"Bearer {token}"})
        missing = await client.get("/whoami")
        wrong_scheme = await client.get("/whoami", headers={"Authorization": f"Basic {token}"})
        forged = await client.get("/whoami", headers={"Authorization": "Bearer forged"})
        tenant_header = await client.get(
            "/whoami",
            headers={"Authorization": f"Bearer {token}", "X-Tenant-Id": str(new_tenant_id())},
        )

    assert ok.json() == {"tenant": str(member.tenant_id), "role": "member"}
    assert [r.status_code for r in (missing, wrong_scheme, forged)] == [401, 401, 401]
    assert {r.json()["code"] for r in (missing, wrong_scheme, forged)} == {"auth.invalid_token"}
    assert tenant_header.json()["tenant"] == str(member.tenant_id)


async def test_role_guards_refuse_members_and_admit_admins() -> None:
    tokens = FakeAccessTokens()
    member, admin = tokens.issue(_actor(Role.MEMBER)), tokens.issue(_actor(Role.ADMIN))

    async with AsyncTestClient(_app(tokens)) as client:
        refused = await client.get("/admin-only", headers={"Authorization": f"Bearer {member}"})
        admitted = await client.get("/admin-only", headers={"Authorization": f"Bearer {admin}"})
        anonymous = await client.get("/admin-only")

    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.role_required"
    assert admitted.status_code == 200
    assert anonymous.status_code == 401
