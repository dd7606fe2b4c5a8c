"""Serve the app with uvicorn, over TLS 1.2+ when Atlas terminates TLS itself."""

from __future__ import annotations

import gc
import ssl
from collections.abc import Callable
from pathlib import Path

import uvicorn
from litestar import Litestar

from entrypoints.log_redaction import protect_uvicorn, uvicorn_to_root

# Python already defaults to 1.2, but the promise is ours to keep, not a default's; the trust
# page reads it from here.
TLS_MINIMUM = ssl.TLSVersion.TLSv1_2


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = TLS_MINIMUM
    context.load_cert_chain(str(cert), str(key))
    context.set_alpn_protocols(["http/1.1"])
    return context


def server_config(
    app: Litestar, *, host: str, port: int, tls: tuple[Path, Path] | None, log_level: str
) -> uvicorn.Config:
    factory: Callable[[uvicorn.Config, Callable[[], ssl.SSLContext]], ssl.SSLContext] | None = None
    if tls is not None:
        cert, key = tls
        factory = lambda _config, _default: tls_context(cert, key)  # noqa: E731
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="on",
        server_header=False,  # no Server header: it only helps fingerprinting
        proxy_headers=False,  # X-Forwarded-* is trusted only from configured proxies
        ssl_certfile=str(tls[0]) if tls else None,
        ssl_keyfile=str(tls[1]) if tls else None,
        ssl_context_factory=factory,
        log_level=log_level.lower(),
        # uvicorn's records go to the root handler: Atlas's format, request ids and redaction
        # (its own formatter unpacked access arguments and raised on redacted records).
        log_config=None,
        timeout_graceful_shutdown=10,
        # The feed (docs/feed.md): a ping every 20 s, and a client that has not answered for
        # 60 s is gone; no frame over 64 KiB; no compression (a small bomb, a large buffer).
        ws="websockets-sansio",
        ws_ping_interval=20.0,
        ws_ping_timeout=40.0,
        ws_max_size=64 * 1024,
        ws_per_message_deflate=False,
    )


async def serve(
    app: Litestar, *, host: str, port: int, tls: tuple[Path, Path] | None, log_level: str
) -> None:
    server = uvicorn.Server(server_config(app, host=host, port=port, tls=tls, log_level=log_level))
    # uvicorn writes through Atlas's root handler; keep OAuth codes, states and tickets out.
    uvicorn_to_root()
    protect_uvicorn()
    # What is loaded by now (modules, the app, its routes) lives as long as the process; each
    # full collection would walk all of it again, stalling every open socket (a tenth of a
    # second and more here: the feed's p99 went from 249 to 20 ms, docs/benchmarks.md).
    # Frozen, the collector leaves it alone and still collects everything made later.
    gc.freeze()
    await server.serve()
