"""Building the provider sandbox for development: Atlas's callbacks registered, data up to now."""

from __future__ import annotations

import socket

import uvicorn
from litestar import Litestar

from adapters.sandbox.config import SandboxConfig, default_data_start, development_registrations
from adapters.sandbox.control_key import ensure_control_key
from adapters.sandbox.sandbox import Sandbox
from application.shared.ports import Clock
from entrypoints.settings import Settings

CALLBACK_PATH = "/api/v1/oauth/callback/{provider}"


def development_config(
    settings: Settings,
    clock: Clock,
    *,
    seed: int = 2026,
    scale: float | None = None,
    callbacks: tuple[str, ...] = (),
    public_base_url: str | None = None,
    control_api: bool = True,
) -> SandboxConfig:
    """One client per provider whose redirect URIs are Atlas's callback on each app origin."""
    if settings.production:
        raise ValueError("the provider sandbox never runs in production")
    origins = dict.fromkeys((*settings.app_origins, settings.integrations.public_url))
    templates = callbacks or tuple(origin + CALLBACK_PATH for origin in origins)
    return SandboxConfig(
        registrations=development_registrations(templates[0], extra_callbacks=templates[1:]),
        seed=seed,
        scale=settings.sandbox_scale if scale is None else scale,
        data_start=default_data_start(clock.now()),
        public_base_url=public_base_url,
        control_api=control_api,
        # In the data directory, so tests, benchmarks and a developer's curl can read it too.
        control_key=ensure_control_key(settings.data_dir) if control_api else None,
    )


def development_sandbox(settings: Settings, clock: Clock) -> Sandbox:
    return Sandbox(development_config(settings, clock), clock)


def sandbox_server(app: Litestar, *, log_level: str = "info") -> uvicorn.Server:
    """A uvicorn server for the sandbox; ``serve(sockets=[listening_socket(...)])`` runs it.

    Stop it with ``should_exit = True`` and await the serve: cancelling it instead would leave
    its listener registered with the event loop after the socket is closed.
    """
    config = uvicorn.Config(
        app,
        lifespan="off",
        server_header=False,
        date_header=False,  # the providers date their answers by the sandbox's clock
        proxy_headers=False,
        # Authorize URLs carry state and PKCE challenges: the access log stays off.
        access_log=False,
        log_level=log_level.lower(),
    )
    return uvicorn.Server(config)


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock
