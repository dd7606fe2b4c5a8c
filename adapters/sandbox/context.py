"""Where module-level handlers find the sandbox and the provider profiles: the app's state."""

from __future__ import annotations

from typing import Any, cast

from litestar import Request

from adapters.sandbox.oauth.profile import Profile
from adapters.sandbox.sandbox import Sandbox

AnyRequest = Request[Any, Any, Any]


def sandbox_of(request: AnyRequest) -> Sandbox:
    return cast(Sandbox, request.app.state.sandbox)


def profile_of(request: AnyRequest, provider: str) -> Profile:
    return cast(Profile, request.app.state.profiles[provider])
