"""Input Atlas cannot store is refused at the edge as a 400, never found later as a 500.

Litestar turns malformed JSON into a 400, but two kinds of bad input escape its decoder as
plain Python errors: bytes that are not UTF-8 (``UnicodeDecodeError``) and nesting deeper than
the decoder's recursion limit (``RecursionError``). And valid JSON can still hold strings that
PostgreSQL's text cannot (NUL) or that UTF-8 cannot encode (a lone surrogate, ``"\ud800"``):
those would fail deep inside a repository or a fingerprint. All are refused here, in the body,
the path and the query alike.
"""

from __future__ import annotations

import json
import re
from typing import Any

from litestar import Request
from litestar.enums import ScopeType
from litestar.exceptions import SerializationException
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Receive,
    Scope,
    Send,
)

from domain.shared.strings import any_string_matches

# NUL and lone surrogates: neither PostgreSQL text nor UTF-8 can hold them.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_PROBLEM = {
    "type": "urn:atlas:problem:request.invalid",
    "title": "The request is not valid.",
    "status": 400,
    "code": "request.invalid",
    "detail": "The request holds characters Atlas cannot store (NUL or an unpaired surrogate).",
}


def unstorable(value: Any) -> bool:
    """Whether any string in a decoded JSON value (keys included) holds NUL or a surrogate."""
    return any_string_matches(value, _UNSTORABLE)


class AtlasRequest(Request[Any, Any, Any]):
    async def json(self) -> Any:
        try:
            decoded = await super().json()
        except UnicodeDecodeError:
            raise SerializationException("The request body is not valid UTF-8.") from None
        except RecursionError:
            raise SerializationException("The request body is nested too deeply.") from None
        if unstorable(decoded):
            raise SerializationException(_PROBLEM["detail"])
        return decoded


def _query_holds_unstorable(query: bytes) -> bool:
    return b"%00" in query or b"\x00" in query or re.search(rb"%[eE][dD]%[aAbB]", query) is not None


def refuse_unstorable_urls(app: ASGIApp) -> ASGIApp:
    """A path or query holding NUL or a lone surrogate is a 400 before any handler sees it."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and (
            _UNSTORABLE.search(scope["path"]) or _query_holds_unstorable(scope["query_string"])
        ):
            body = json.dumps(_PROBLEM).encode()
            headers = [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ]
            start: HTTPResponseStartEvent = {
                "type": "http.response.start",
                "status": 400,
                "headers": headers,
            }
            end: HTTPResponseBodyEvent = {
                "type": "http.response.body",
                "body": body,
                "more_body": False,
            }
            await send(start)
            await send(end)
            return
        await app(scope, receive, send)

    return guarded
