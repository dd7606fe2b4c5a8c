"""The bridge from dependency-injector providers to Litestar's dependency injection."""

from __future__ import annotations

import inspect
from typing import Any

from dependency_injector import providers
from litestar.di import Provide


async def resolve(provider: providers.Provider[Any]) -> Any:
    # Providers above an async Resource return awaitables.
    built = provider()
    return await built if inspect.isawaitable(built) else built


def provide(provider: providers.Provider[Any]) -> Provide:
    async def dependency() -> Any:
        return await resolve(provider)

    return Provide(dependency)
