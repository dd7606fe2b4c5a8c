"""The OAuth clients each emulated provider knows, replaceable while the sandbox runs."""

from __future__ import annotations

import threading

from adapters.sandbox.config import ClientRegistration, Provider


class ClientRegistry:
    def __init__(self, registrations: tuple[ClientRegistration, ...]) -> None:
        self._lock = threading.Lock()
        self._clients = {(r.provider, r.client_id): r for r in registrations}

    def get(self, provider: Provider, client_id: str | None) -> ClientRegistration | None:
        if not client_id:
            return None
        with self._lock:
            return self._clients.get((provider, client_id))

    def register(self, registration: ClientRegistration) -> None:
        """Add a client, or replace the one with the same provider and client id."""
        with self._lock:
            self._clients[(registration.provider, registration.client_id)] = registration

    def all(self) -> list[ClientRegistration]:
        with self._lock:
            return sorted(self._clients.values(), key=lambda r: (r.provider, r.client_id))
