"""The ASGI layer that applies injected faults before (or after) a provider handles a request,
and dates every answer by the sandbox's clock (a provider's ``Date`` header is its clock)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from datetime import timedelta
from email.utils import format_datetime

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from adapters.sandbox.faults import (
    Drip,
    HangAfterProcessing,
    RateLimit,
    ServerError,
    Slow,
    Unauthorized,
)
from adapters.sandbox.oauth.profile import Profile
from adapters.sandbox.oauth.refusal import BearerReason
from adapters.sandbox.reply import Reply
from adapters.sandbox.sandbox import Sandbox


class FaultLayer:
    def __init__(self, app: ASGIApp, sandbox: Sandbox, profiles: Mapping[str, Profile]) -> None:
        self._app, self._sandbox, self._profiles = app, sandbox, profiles

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self._app(scope, receive, send)
            return
        send = self._dated(send)
        method = scope["method"]
        _, _, rest = scope["path"].partition("/")
        provider, _, inner = rest.partition("/")
        profile = self._profiles.get(provider)
        if profile is not None:
            self._sandbox.calls.record(method, scope["path"])
        taken = self._sandbox.faults.take(provider, method, "/" + inner) if profile else None
        if profile is None or taken is None:
            await self._app(scope, receive, send)
            return
        fault, hit = taken
        self._sandbox.stats.count(provider, "-", f"fault:{type(fault).__name__}")
        if isinstance(fault, Slow):
            await self._sandbox.sleep(fault.seconds)
            await self._app(scope, receive, send)
        elif isinstance(fault, Drip):
            await self._drip(fault, receive, send)
        elif isinstance(fault, HangAfterProcessing):
            await self._hang_after(fault, scope, receive, send)
        elif isinstance(fault, RateLimit):
            await profile.throttled(self._retry_after(fault.retry_after, fault.http_date)).send(
                send
            )
        elif isinstance(fault, ServerError):
            status = fault.statuses[hit % len(fault.statuses)]
            after = str(fault.retry_after) if fault.retry_after is not None else None
            await profile.server_error(status, after).send(send)
        elif isinstance(fault, Unauthorized):
            await profile.bearer_error(BearerReason(fault.reason)).send(send)

    async def _hang_after(
        self, fault: HangAfterProcessing, scope: Scope, receive: Receive, send: Send
    ) -> None:
        # The provider does the work (a refresh token rotates) and the answer is lost: the
        # client times out first, or at best hears 504, and never sees the new tokens.
        async def swallow(message: Message) -> None:
            return None

        await self._app(scope, receive, swallow)
        await self._sandbox.sleep(fault.seconds)
        await Reply(status=504, body={"error": "gateway_timeout"}).send(send)

    async def _drip(self, fault: Drip, receive: Receive, send: Send) -> None:
        # JSON whitespace, so what arrived is never mistaken for an answer. Stops when the
        # client hangs up: a forever drip must not outlive the request that asked for it.
        gone = asyncio.Event()

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                continue
            gone.set()

        watcher = asyncio.create_task(watch())
        try:
            json = [(b"content-type", b"application/json")]
            await send({"type": "http.response.start", "status": 200, "headers": json})
            sent = 0
            while not gone.is_set() and (fault.bytes is None or sent < fault.bytes):
                await send({"type": "http.response.body", "body": b" ", "more_body": True})
                sent += 1
                await self._sandbox.sleep(fault.interval)
            if not gone.is_set():
                await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    def _dated(self, send: Send) -> Send:
        async def dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                stamp = format_datetime(self._sandbox.clock.now(), usegmt=True).encode()
                message = {**message, "headers": [*headers, (b"date", stamp)]}
            await send(message)

        return dated

    def _retry_after(self, seconds: int, http_date: bool) -> str:
        if not http_date:
            return str(seconds)
        moment = self._sandbox.clock.now() + timedelta(seconds=seconds)
        return format_datetime(moment, usegmt=True)
