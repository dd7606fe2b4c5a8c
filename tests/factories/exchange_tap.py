"""An ASGI tap over the sandbox: every request a connector sends (method, path, query and form
values) with the answer it got, so a test can hold both to a provider's published spec.

The call log the sandbox keeps (``adapters/sandbox/calls.py``) records paths only, on purpose;
this tap lives in tests and is put in front of the in-process sandbox by ``tapped_sandbox``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import pytest
from litestar.types import ASGIApp, Message, Receive, Scope, Send


@dataclass
class Exchange:
    method: str
    path: str
    params: dict[str, str]  # query values, then form values
    status: int = 0
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.body)


class Tap:
    def __init__(self, app: ASGIApp, seen: list[Exchange]) -> None:
        self._app, self._seen = app, seen

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode()
        exchange = Exchange(scope["method"], scope["path"], dict(parse_qsl(query)))
        self._seen.append(exchange)
        form = b""

        async def listened() -> Message:
            nonlocal form
            message = await receive()
            if message["type"] == "http.request":
                form += message.get("body", b"")
                if not message.get("more_body") and _is_form(scope):
                    exchange.params.update(parse_qsl(form.decode()))
            return message

        async def answered(message: Message) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.headers = {k.decode().lower(): v.decode() for k, v in message["headers"]}
            elif message["type"] == "http.response.body":
                exchange.body += message.get("body", b"")
            await send(message)

        await self._app(scope, listened, answered)


def _is_form(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name.lower() == b"content-type":
            return value.decode().startswith("application/x-www-form-urlencoded")
    return False


@contextmanager
def tapped_sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Exchange]]:
    """Every exchange with the sandbox the app mounts in-process (providers' HTTP client)."""
    from entrypoints import integrations_wiring

    seen: list[Exchange] = []
    original: Callable[..., Any] = integrations_wiring.create_sandbox_app
    monkeypatch.setattr(
        integrations_wiring, "create_sandbox_app", lambda sandbox: Tap(original(sandbox), seen)
    )
    yield seen
