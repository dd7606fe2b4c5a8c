"""The client address: X-Forwarded-For counts only when a configured proxy adds it."""

from __future__ import annotations

import ipaddress

import pytest

from entrypoints.http.client import client_address

PROXIES = (ipaddress.ip_network("10.0.0.0/8"),)


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # spoofed by an untrusted peer
        ("10.0.0.2", "198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.7", "198.51.100.1"),  # nearest untrusted
        ("10.0.0.2", "10.0.0.3", "10.0.0.2"),  # only proxies: the peer
        ("10.0.0.2", "garbage, 198.51.100.1", "198.51.100.1"),
        ("10.0.0.2", "198.51.100.1, garbage", "10.0.0.2"),  # a malformed hop ends the trust
        ("testclient", "198.51.100.1", "testclient"),
        (None, "198.51.100.1", None),
    ],
)
def test_only_trusted_proxies_may_name_the_client(
    peer: str | None, forwarded: str | None, expected: str | None
) -> None:
    assert client_address(peer, forwarded, PROXIES) == expected
