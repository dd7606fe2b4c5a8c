"""Tokens, codes, states, verifiers, tickets and client secrets never reach a log or a dump.

A provider that issues unique marker values (httpx's MockTransport behind the real OAuth
client) takes one connection through its whole life on PostgreSQL: start, open, callback,
refresh, disconnect. Every log record of every logger is captured raw at DEBUG (no redaction
filter: nothing may be logged in the first place), then the database is dumped in plaintext.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import parse_qsl, urlsplit
from uuid import uuid4

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from adapters.connectors.notices import LoggedReauthNotices
from adapters.connectors.oauth_client import HttpProviderClient
from adapters.crypto.flow_sealing import AesGcmFlowSealer
from adapters.fakes.clock import FrozenClock
from adapters.postgres.graph_purge import PostgresGraphPurgeUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.integrations import PostgresIntegrationsUnitOfWork
from adapters.postgres.throwaway import ThrowawayDatabase
from application.graph.purge_scope import PurgeSourceScope
from application.identity.email_verification import EmailGate
from application.integrations.complete_connection import Callback, CompleteConnection
from application.integrations.connection_tokens import ConnectionTokens
from application.integrations.directory import OAuthClientCredentials, ProviderDirectory
from application.integrations.disconnect import DisconnectConnection
from application.integrations.open_authorization import OpenAuthorization
from application.integrations.start_connection import StartConnection, StartConnectionCommand
from application.shared.actor import Actor
from domain.identity.model import Role
from domain.integrations.providers import CATALOG
from domain.shared.secret import Secret
from tests.factories.dump import database_dump
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.vault import WHEN, marker, shared_vault

pytestmark = pytest.mark.integration


class MarkerProvider:
    """HubSpot's token and revocation endpoints, answering with fresh markers each time."""

    def __init__(self) -> None:
        self.seen: list[str] = []  # every secret that crossed the wire, both ways

    def __call__(self, request: httpx.Request) -> httpx.Response:
        form = dict(parse_qsl(request.content.decode()))
        public = ("grant_type", "redirect_uri", "client_id", "token_type_hint")
        self.seen += [v for k, v in form.items() if k not in public]
        if request.url.path.endswith("/revoke"):
            return httpx.Response(204)
        access, refresh = marker("access"), marker("refresh")
        self.seen += [access, refresh]
        scopes = list(CATALOG["hubspot"].scopes)
        body = {"access_token": access, "refresh_token": refresh, "expires_in": 1800,
                "token_type": "bearer", "hub_id": 7, "scopes": scopes}  # fmt: skip
        return httpx.Response(200, json=body)


@pytest.fixture
def every_log_record() -> Iterator[list[str]]:
    captured: list[str] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            captured.append(self.format(record) + (record.exc_text or ""))

    handler, root = Capture(level=logging.DEBUG), logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield captured
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


async def test_a_whole_connection_life_leaves_no_secret_in_logs_or_a_dump(
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    database: ThrowawayDatabase,
    every_log_record: list[str],
) -> None:
    provider, clock, secret = MarkerProvider(), FrozenClock(WHEN), marker("client-secret")
    http = httpx.AsyncClient(transport=httpx.MockTransport(provider))
    parts = _wiring(sessions, await shared_vault(engine), http, clock, secret)
    tenant, (owner,) = await seed_tenant_with_owner(partial(PostgresIdentityUnitOfWork, sessions))
    actor = Actor(tenant_id=tenant.id, user_id=owner.id, role=Role.OWNER, session_id=uuid4())
    code = marker("code")

    started = await parts["start"].execute(actor, StartConnectionCommand(provider="hubspot"))
    opened = await parts["open"].execute(actor, started.start_ticket.reveal(), None)
    state = dict(parse_qsl(urlsplit(started.provider_authorization_url).query))["state"]
    outcome = await parts["complete"].execute(
        Callback(platform="hubspot", state=Secret(state), code=Secret(code), browser=opened.binding)
    )
    clock.advance(timedelta(minutes=26))
    refreshed = await parts["tokens"].access_token(actor.scope, started.connection_id)
    await parts["disconnect"].execute(actor, started.connection_id, purge=True)
    await http.aclose()
    dump = database_dump(database)

    secrets = [secret, code, state, started.start_ticket.reveal(), opened.binding.reveal()]
    secrets += provider.seen  # tokens of both generations, the code, the client secret
    assert outcome.outcome == "connected"
    assert refreshed.access_token.reveal() in provider.seen
    assert str(started.connection_id) in dump  # the rows are in the dump ...
    assert [s for s in secrets if s in dump] == []  # ... their secrets are not
    logged = "\n".join(every_log_record)
    assert "HTTP Request" in logged  # httpx did log its requests ...
    assert [s for s in secrets if s in logged] == []  # ... and nothing secret


def _wiring(
    sessions: Any, vault: Any, http: httpx.AsyncClient, clock: FrozenClock, secret: str
) -> dict[str, Any]:
    uow = partial(PostgresIntegrationsUnitOfWork, sessions)
    directory = ProviderDirectory(
        CATALOG,
        clients={
            "hubspot": OAuthClientCredentials(client_id="atlas", client_secret=Secret(secret))
        },
        callback_template="https://atlas.test/api/v1/oauth/callback/{platform}",
        sandbox_base="https://provider.test",
    )
    client, sealer = HttpProviderClient(http, clock), AesGcmFlowSealer()
    purge = PurgeSourceScope(partial(PostgresGraphPurgeUnitOfWork, sessions))
    return {
        "start": StartConnection(
            uow, directory, sealer, clock,
            verified_emails=EmailGate(partial(PostgresIdentityUnitOfWork, sessions)),
        ),
        "open": OpenAuthorization(uow, sealer, clock),
        "complete": CompleteConnection(uow_for=uow, providers=directory, client=client,
                                       sealer=sealer, vault=vault, clock=clock),
        "tokens": ConnectionTokens(uow_for=uow, vault=vault, providers=directory, client=client,
                               notices=LoggedReauthNotices(), clock=clock),
        "disconnect": DisconnectConnection(uow_for=uow, providers=directory, client=client,
                                           vault=vault, purge=purge, clock=clock),
    }  # fmt: skip
