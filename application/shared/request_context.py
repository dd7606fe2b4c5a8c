"""Who is on the other end of the current request: its id and address, for the audit trail.

The HTTP layer sets it once per request; the audit recorder reads it when an entry is
recorded. Outside a request (the worker, a CLI command) there is none, and the actor of what
is recorded is the system.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import msgspec


class RequestContext(msgspec.Struct, frozen=True, kw_only=True):
    request_id: str
    address: str
    # What the log lines of this request carry once known: the route template, the tenant (an
    # opaque id), the status and the time to answer. Values Atlas chose, never the request's.
    facts: dict[str, str | int | float] = msgspec.field(default_factory=dict)


_current: ContextVar[RequestContext | None] = ContextVar("atlas_request", default=None)


def current_request() -> RequestContext | None:
    return _current.get()


@contextmanager
def in_request(context: RequestContext) -> Iterator[RequestContext]:
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def note(**facts: str | int | float) -> None:
    """Add to what the current request's log lines carry (nothing outside a request)."""
    context = _current.get()
    if context is not None:
        context.facts.update(facts)
