"""A provider's answer as plain data, sent through Litestar or straight onto the ASGI wire."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Response
from litestar.types import Send

JSON = "application/json"
HTML = "text/html; charset=utf-8"

_encoder = msgspec.json.Encoder()


class Reply(msgspec.Struct, frozen=True, kw_only=True):
    status: int
    body: Any = None  # JSON-able value, or str for HTML and text, or None for an empty body
    headers: tuple[tuple[str, str], ...] = ()
    media_type: str = JSON

    def encoded(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, str) and self.media_type != JSON:
            return self.body.encode()
        return _encoder.encode(self.body)

    def to_response(self) -> Response[bytes]:
        headers = {"Cache-Control": "no-store", **dict(self.headers)}
        return Response(
            self.encoded(), status_code=self.status, media_type=self.media_type, headers=headers
        )

    async def send(self, send: Send) -> None:
        body = self.encoded()
        headers = [
            (b"content-type", self.media_type.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
            *((k.lower().encode(), v.encode()) for k, v in self.headers),
        ]
        await send({"type": "http.response.start", "status": self.status, "headers": headers})
        await send({"type": "http.response.body", "body": body, "more_body": False})


class ProviderError(Exception):
    """Raised by handlers; the sandbox app sends ``reply`` exactly as the provider would."""

    def __init__(self, reply: Reply) -> None:
        super().__init__(f"provider answered {reply.status}")
        self.reply = reply


def redirect(location: str) -> Reply:
    return Reply(
        status=302,
        headers=(("Location", location), ("Referrer-Policy", "no-referrer")),
        media_type="text/plain",
    )
