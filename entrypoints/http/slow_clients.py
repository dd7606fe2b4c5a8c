"""A client too slow to send its request or to take its response lets go of what it holds.

An upload that arrives 12 bytes at a time, or a download read 64 bytes and then left, would
hold an import or export slot (and a spooled file) for as long as its socket stays open; a
handful of such clients and every tenant gets 503 (attack findings, item 3). So each piece of
a request body must arrive within ``BODY_IDLE_SECONDS`` of the one before, and each piece of a
response must be taken within ``SEND_SECONDS``. Past either, the request ends: a body too slow
is answered 408 and never reaches a store, a response too slow is cut off; either way the
handler's ``finally`` and ``with`` blocks run and free their slots.

Once a body is complete, ``receive`` is left untimed: a streaming response waits on it for the
client's disconnect, for as long as the response lasts.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextvars import ContextVar

from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, LitestarException
from litestar.types import ASGIApp, Message, Receive, ReceiveMessage, Scope, Send

BODY_IDLE_SECONDS = 30.0
SEND_SECONDS = 60.0

log = logging.getLogger("atlas.http")
Closer = Callable[[], Awaitable[None]]
_closers: ContextVar[list[Closer] | None] = ContextVar("atlas_request_closers", default=None)


def close_when_done(closer: Closer) -> None:
    """Run ``closer`` when the request ends, however it ends: a streamed body (a spooled
    export and its slot) is let go even when its response is cut off half-way, which a
    response's own background task would not see."""
    closers = _closers.get()
    if closers is None:
        raise RuntimeError("close_when_done outside a request")
    closers.append(closer)


class RequestTooSlow(HTTPException):
    status_code = 408
    detail = "The request body arrived too slowly."


class _ResponseTooSlow(Exception):
    """The client stopped taking the response; nothing can be sent to it any more."""


class _TimedExchange:
    """One request's receive and send, each piece bounded in time."""

    def __init__(self, receive: Receive, send: Send) -> None:
        self._receive, self._send = receive, send
        self._body_done = False

    async def receive(self) -> ReceiveMessage:
        if self._body_done:
            return await self._receive()
        try:
            async with asyncio.timeout(BODY_IDLE_SECONDS):
                message = await self._receive()
        except TimeoutError:
            raise RequestTooSlow() from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            self._body_done = True
        return message

    async def send(self, message: Message) -> None:
        try:
            async with asyncio.timeout(SEND_SECONDS):
                await self._send(message)
        except TimeoutError:
            raise _ResponseTooSlow() from None


def bounded_client_time(app: ASGIApp) -> ASGIApp:
    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        exchange = _TimedExchange(receive, send)
        closers: list[Closer] = []
        token = _closers.set(closers)
        try:
            await app(scope, exchange.receive, exchange.send)
        except (_ResponseTooSlow, LitestarException) as error:
            if not _cut_off(error):
                raise
            # The server closes the connection; what the response held is let go below.
            log.warning("response cut off: the client stopped reading it")
        finally:
            _closers.reset(token)
            for closer in closers:
                await closer()

    return guarded


def _cut_off(error: BaseException | None) -> bool:
    """Whether the error is, or wraps, a response too slow: Litestar wraps what is raised once
    a response has started, once per layer, and a streamed response raises a group."""
    while error is not None:
        if isinstance(error, _ResponseTooSlow):
            return True
        if isinstance(error, BaseExceptionGroup):  # a streamed response's task group
            return any(_cut_off(inner) for inner in error.exceptions)
        error = error.__cause__ or error.__context__
    return False
