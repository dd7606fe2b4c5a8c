"""Customer API keys in settings: store (sealed), list (masked), delete. Never read back."""

from __future__ import annotations

import msgspec
from litestar import Controller, Router, delete, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from application.shared.actor import Actor
from application.vault.delete_api_key import DeleteApiKey
from application.vault.list_api_keys import ListApiKeys
from application.vault.store_api_key import StoreApiKey, StoreApiKeyCommand
from domain.identity.model import Role
from domain.shared.secret import Secret
from domain.vault.api_keys import ApiKeySummary
from entrypoints.container import Application
from entrypoints.http.auth import requires_role
from entrypoints.http.di import provide
from entrypoints.http.problems import BEARER_REQUIRED, problems


class StoreApiKeyBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    value: str
    purpose: str

    def __repr__(self) -> str:  # the value must not reach a log through a repr
        return f"StoreApiKeyBody(purpose={self.purpose!r}, value=<hidden>)"


class ApiKeyList(msgspec.Struct, frozen=True, kw_only=True):
    items: list[ApiKeySummary]


class ApiKeyController(Controller):
    path = "/settings/api-keys"
    tags = ["Settings"]
    guards = [requires_role(Role.OWNER, Role.ADMIN)]
    security = BEARER_REQUIRED

    @get(
        "/",
        summary="The tenant's API keys: name, purpose, creator and a masked hint",
        responses=problems(401, 403),
    )
    async def list_keys(
        self, actor: NamedDependency[Actor], list_api_keys: NamedDependency[ListApiKeys]
    ) -> ApiKeyList:
        return ApiKeyList(items=await list_api_keys.execute(actor))

    @put(
        "/{name:str}",
        summary="Seal and store an integration's API key (replaces one of that name)",
        responses=problems(401, 403, 409, 422, 503),
    )
    async def store_key(
        self,
        name: FromPath[str],
        data: JSONBody[StoreApiKeyBody],
        actor: NamedDependency[Actor],
        store_api_key: NamedDependency[StoreApiKey],
    ) -> ApiKeySummary:
        command = StoreApiKeyCommand(name=name, purpose=data.purpose, value=Secret(data.value))
        return await store_api_key.execute(actor, command)

    @delete(
        "/{name:str}", summary="Delete a stored API key", responses=problems(401, 403, 404, 422)
    )
    async def delete_key(
        self,
        name: FromPath[str],
        actor: NamedDependency[Actor],
        delete_api_key: NamedDependency[DeleteApiKey],
    ) -> None:
        await delete_api_key.execute(actor, name)


def routes(container: Application) -> Router:
    use_cases = container.use_cases
    return Router(
        path="/api/v1",
        route_handlers=[ApiKeyController],
        dependencies={
            "list_api_keys": provide(use_cases.list_api_keys),
            "store_api_key": provide(use_cases.store_api_key),
            "delete_api_key": provide(use_cases.delete_api_key),
        },
    )
