"""Every endpoint a connector calls has a contract check: a module under tests/fidelity names
the registry entries whose sandbox answers it holds to the provider's spec or documentation
(``COVERED``). A connector starting to call a new endpoint adds it to the registry (the
recorded-calls test demands it), and then this test demands a contract for it."""

from __future__ import annotations

import importlib
import pkgutil

import tests.fidelity
from domain.integrations.endpoints import ENDPOINTS, Endpoint

OAUTH_SERVER = "OAuth server"  # token, revoke, introspection: the grant, not the API


def covered() -> set[tuple[str, str, str]]:
    found: set[tuple[str, str, str]] = set()
    for module in pkgutil.iter_modules(tests.fidelity.__path__):
        loaded = importlib.import_module(f"tests.fidelity.{module.name}")
        found |= set(getattr(loaded, "COVERED", ()))
    return found


def needs_contract(endpoint: Endpoint) -> bool:
    return not (endpoint.scopes == () and OAUTH_SERVER in endpoint.source)


def test_every_api_endpoint_a_connector_calls_has_a_contract_check() -> None:
    registry = {(e.provider, e.method, e.path) for e in ENDPOINTS if needs_contract(e)}
    checks = covered()

    assert sorted(registry - checks) == []
    everything = {(e.provider, e.method, e.path) for e in ENDPOINTS}
    assert sorted(checks - everything) == []  # a check of an endpoint no connector calls: stale


def test_an_endpoint_without_a_check_is_caught() -> None:
    unchecked = {("slack", "GET", "/api/conversations.history")}
    registry = {(e.provider, e.method, e.path) for e in ENDPOINTS if needs_contract(e)}

    assert unchecked <= registry
    assert not (covered() - unchecked) >= registry  # removing one check leaves a gap
