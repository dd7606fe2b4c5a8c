"""Where Atlas listens: ATLAS_HOST, ATLAS_PORT, and development kept on this machine.

Development mode serves the provider sandbox, its public development OAuth clients and test
conveniences. Served to the network, those would be anyone's, so a development server listens
on a loopback address only, unless ATLAS_EXPOSE_DEVELOPMENT=true says otherwise explicitly.
"""

from __future__ import annotations

import ipaddress
from typing import Protocol

from entrypoints.settings_keys import SettingsError

EXPOSE_SETTING = "ATLAS_EXPOSE_DEVELOPMENT"


def is_loopback(host: str) -> bool:
    """127.0.0.0/8, ::1 or localhost; a wildcard (0.0.0.0, ::) or any other name is not."""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class _Listening(Protocol):
    @property
    def host(self) -> str: ...
    @property
    def env(self) -> str: ...
    @property
    def expose_development(self) -> bool: ...


def listen_host(raw: _Listening) -> str:
    """ATLAS_HOST, checked against ATLAS_ENV and ATLAS_EXPOSE_DEVELOPMENT."""
    production = raw.env == "production"
    return checked_host(raw.host, production=production, exposed=raw.expose_development)


def checked_host(host: str, *, production: bool, exposed: bool, named: str = "ATLAS_HOST") -> str:
    """``host``, unless development would be served beyond this machine without being told to.

    ``named`` is what chose the host (the setting, or a command's ``--host``), for the message.
    """
    if production or exposed or is_loopback(host):
        return host
    raise SettingsError(
        f"{named}={host} is not a loopback address, and development mode serves the provider "
        "sandbox and its development OAuth clients: listen on 127.0.0.1, ::1 or localhost, or "
        f"set {EXPOSE_SETTING}=true to serve development to the network on purpose"
    )


def listen_port(port: int) -> int:
    if not 0 < port < 65536:
        raise SettingsError("ATLAS_PORT: must be between 1 and 65535")
    return port


def metrics_listener(address: str) -> tuple[str, int] | None:
    """ATLAS_METRICS_ADDRESS: ``host:port`` (``[::1]:9464`` for IPv6), or ``off``.

    The metrics never share the public port: they are for the operators' network only."""
    if address.strip().lower() == "off":
        return None
    host, sep, port = address.strip().rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise SettingsError(
            f"ATLAS_METRICS_ADDRESS: {address!r} is not host:port (e.g. 127.0.0.1:9464) or off"
        )
    return host.strip("[]"), int(port)
