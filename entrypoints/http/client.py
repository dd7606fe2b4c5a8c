"""Who is calling: the client address (through trusted proxies only) and the user agent."""

from __future__ import annotations

import ipaddress
from typing import Any

from litestar.connection import ASGIConnection

from application.identity.sessions import Client
from entrypoints.settings_identity import Network

MAX_USER_AGENT = 512


def client_address(
    peer: str | None, forwarded_for: str | None, trusted: tuple[Network, ...]
) -> str | None:
    """The peer, unless it is a trusted proxy: then the nearest untrusted hop it reports.

    ``X-Forwarded-For`` is a list each proxy appends to, so only entries added by proxies we
    trust mean anything; reading right to left, the first address that is not one of ours is
    the client. A spoofed header from an untrusted peer changes nothing.
    """
    if peer is None or not _is_trusted(peer, trusted) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",")]
    for hop in reversed(hops):
        if not _is_ip(hop):
            return peer  # a malformed chain: trust nothing in it
        if not _is_trusted(hop, trusted):
            return hop
    return peer


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _is_trusted(value: str, trusted: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return False
    return any(address in network for network in trusted)


def client_of(
    connection: ASGIConnection[Any, Any, Any, Any], trusted: tuple[Network, ...]
) -> Client:
    peer = connection.client.host if connection.client else None
    address = client_address(peer, connection.headers.get("x-forwarded-for"), trusted)
    agent = connection.headers.get("user-agent")
    return Client(
        address=address[:100] if address else None,
        user_agent=agent[:MAX_USER_AGENT] if agent else None,
    )
