"""The vault's cost: seal/open through the vault vs raw AESGCM, KDF time, re-encryption rate.

Seal and open are measured on 200-byte values in the same process and run, in alternating
rounds (raw, vault, raw, vault, ...) so machine noise hits both sides alike. The vault side
includes everything a caller pays: the coroutine, the lease check, the AAD encoding, the
envelope and the ``Secret`` wrapper; the raw side is the bare ``AESGCM`` call with a fresh
``os.urandom(12)`` IV and precomputed AAD. The keyring runs on a real key versions table
(throwaway PostgreSQL), with the production PBKDF2 parameters.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any
from uuid import uuid4

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.clock import SystemClock
from adapters.crypto.aesgcm_vault import AesGcmVault
from adapters.crypto.kdf import pbkdf2_sha256
from adapters.crypto.keyring import Keyring
from adapters.crypto.vault_alerts import LoggingKeyUsageAlerts
from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.integrations import PostgresIntegrationsUnitOfWork
from adapters.postgres.throwaway import start_throwaway_database
from adapters.postgres.vault import PostgresVaultUnitOfWork
from adapters.postgres.vault_keys import PostgresKeyVersions
from application.shared.actor import Actor
from application.shared.scope import Scope
from application.vault.oauth_tokens import seal_tokens
from application.vault.reencrypt import ReencryptSealedValues
from application.vault.store_api_key import StoreApiKey, StoreApiKeyCommand
from bench.stats import line, median
from domain.identity.model import Membership, Role, Tenant, User
from domain.integrations.connection import Connection, GrantedAccount
from domain.integrations.providers import CATALOG
from domain.shared.ids import TenantId, UserId, new_id, new_tenant_id, new_user_id
from domain.shared.secret import Secret
from domain.vault.model import DEFAULT_ITERATIONS, Binding, Purpose
from domain.vault.oauth import OAuthTokens

VALUE_BYTES = 200
OPS_PER_ROUND = 20_000
ROUNDS = 15
TENANTS = 20
KEYS_PER_TENANT = 100
TOKENS_PER_TENANT = 50  # one user each, two sealed values per row


async def run() -> dict[str, float]:
    print("Vault (AES-256-GCM, 200-byte values)")
    db = await start_throwaway_database()
    engine = create_engine(db.app, pool_size=4, max_overflow=4)
    try:
        sessions = session_factory(engine)
        versions = PostgresKeyVersions(sessions)
        master = Secret(os.urandom(32))
        keyring = Keyring(master, versions, SystemClock(), LoggingKeyUsageAlerts())
        results = {"kdf_ms": _kdf_ms(master)}
        line(
            f"key derivation per version (PBKDF2-SHA256, {DEFAULT_ITERATIONS:,})",
            f"{results['kdf_ms']:.0f} ms",
        )
        await keyring.start()
        vault = AesGcmVault(keyring)
        results |= await _seal_open(vault, keyring)
        results["reencrypt_rows_s"] = await _reencrypt(sessions, versions, keyring, vault)
        return results
    finally:
        await engine.dispose()
        db.cluster.destroy()


def _kdf_ms(master: Secret[bytes]) -> float:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        pbkdf2_sha256(master.reveal(), os.urandom(16), DEFAULT_ITERATIONS)
        times.append((time.perf_counter() - started) * 1000)
    return median(times)


async def _seal_open(vault: AesGcmVault, keyring: Keyring) -> dict[str, float]:
    binding = Binding(
        tenant_id=new_tenant_id(),
        user_id=new_user_id(),
        purpose=Purpose.OAUTH_ACCESS,
        record_id=new_id(),
    )
    plaintext = Secret(os.urandom(VALUE_BYTES))
    sealed = await vault.seal(plaintext, binding)
    aes = (await keyring.opening_key(sealed.key_version)).aes
    aad, data = binding.associated_data(sealed.key_version), plaintext.reveal()
    iv = os.urandom(12)
    body = aes.encrypt(iv, data, aad)
    sides: dict[str, Callable[[], Awaitable[float]]] = {
        "bare_seal": partial(_timed, lambda: aes.encrypt(os.urandom(12), data, aad)),
        "stored_seal": partial(_timed, lambda: _stored_seal(aes, data, aad)),
        "vault_seal": partial(_timed_async, lambda: vault.seal(plaintext, binding)),
        "bare_open": partial(_timed, lambda: aes.decrypt(iv, body, aad)),
        "stored_open": partial(_timed, lambda: aes.decrypt(blob[:12], blob[12:], aad)),
        "vault_open": partial(_timed_async, lambda: vault.open(sealed, binding)),
    }
    blob = iv + body
    rounds: dict[str, list[float]] = {name: [] for name in sides}
    for _ in range(ROUNDS):
        for name, measure in sides.items():  # interleaved: noise hits every side alike
            rounds[name].append(await measure())
    results = {f"{name}_ops": median(values) for name, values in rounds.items()}
    for op in ("seal", "open"):
        vault_ops = results[f"vault_{op}_ops"]
        results[f"{op}_ratio_bare"] = vault_ops / results[f"bare_{op}_ops"]
        results[f"{op}_ratio_stored"] = vault_ops / results[f"stored_{op}_ops"]
        line(
            f"{op}: bare AESGCM call (median of {ROUNDS} x {OPS_PER_ROUND:,})",
            f"{results[f'bare_{op}_ops']:,.0f} ops/s",
        )
        line(
            f"{op}: raw AESGCM keeping its IV with the ciphertext",
            f"{results[f'stored_{op}_ops']:,.0f} ops/s",
        )
        line(f"{op}: through the vault", f"{vault_ops:,.0f} ops/s")
        line(f"{op}: vault / bare call", f"{results[f'{op}_ratio_bare']:.2f}")
        line(
            f"{op}: vault / raw keeping its IV (goal >= 0.5)",
            f"{results[f'{op}_ratio_stored']:.2f}",
        )
    return results


def _stored_seal(aes: AESGCM, data: bytes, aad: bytes) -> bytes:
    iv = os.urandom(12)
    return iv + aes.encrypt(iv, data, aad)


async def _timed(operation: Callable[[], object]) -> float:
    started = time.perf_counter()
    for _ in range(OPS_PER_ROUND):
        operation()
    return OPS_PER_ROUND / (time.perf_counter() - started)


async def _timed_async(operation: Callable[[], Awaitable[object]]) -> float:
    started = time.perf_counter()
    for _ in range(OPS_PER_ROUND):
        await operation()
    return OPS_PER_ROUND / (time.perf_counter() - started)


async def _reencrypt(
    sessions: object, versions: PostgresKeyVersions, keyring: Keyring, vault: AesGcmVault
) -> float:
    identity_uow = partial(PostgresIdentityUnitOfWork, sessions)
    vault_uow = partial(PostgresVaultUnitOfWork, sessions)
    rows = 0
    for _ in range(TENANTS):
        rows += await _seed_tenant(identity_uow, vault_uow, vault)
    await keyring.rotate()
    job = ReencryptSealedValues(keyring, versions, vault_uow, vault)
    started = time.perf_counter()
    report = await job.execute()
    elapsed = time.perf_counter() - started
    if report.resealed != rows or report.remaining:
        raise RuntimeError(f"re-encryption incomplete: {report}")
    line(
        f"re-encryption ({rows:,} rows, {TENANTS} tenants, batches of 200)",
        f"{rows / elapsed:,.0f} rows/s",
    )
    return rows / elapsed


async def _seed_tenant(identity_uow: Any, vault_uow: Any, vault: AesGcmVault) -> int:
    now = datetime.now(UTC)
    tenant = Tenant(id=new_tenant_id(), name="Bench", region="europe-west4", created_at=now)
    owner = User(
        id=new_user_id(),
        email=f"{uuid4().hex}@bench.example",
        name="Bench",
        password_hash=Secret("x"),
        created_at=now,
    )
    scope = Scope(tenant_id=tenant.id, user_id=owner.id)
    async with identity_uow(scope) as uow:
        await uow.tenants.add(tenant)
        await uow.users.add(owner)
        await uow.memberships.add(
            Membership(tenant_id=tenant.id, user_id=owner.id, role=Role.OWNER, created_at=now)
        )
        await uow.commit()
    value = os.urandom(VALUE_BYTES // 2).hex()
    owner_actor = Actor(tenant_id=tenant.id, user_id=owner.id, role=Role.OWNER, session_id=uuid4())
    store = StoreApiKey(vault_uow, vault, SystemClock())
    for n in range(KEYS_PER_TENANT):
        command = StoreApiKeyCommand(name=f"key-{n}", purpose="bench", value=Secret(value))
        await store.execute(owner_actor, command)
    connections = [new_id() for _ in range(TOKENS_PER_TENANT)]
    async with _integrations_uow(identity_uow)(scope) as uow:  # tokens hang off connections
        for connection_id in connections:
            await uow.connections.save(_connection(scope, connection_id, now))
        await uow.commit()
    tokens = [
        await seal_tokens(
            vault,
            scope,
            connection_id,
            OAuthTokens(access_token=Secret(value), refresh_token=Secret(value)),
            now,
        )
        for connection_id in connections
    ]
    async with vault_uow(scope) as uow:
        for sealed in tokens:
            await uow.oauth_tokens.put(sealed)
        await uow.commit()
    return KEYS_PER_TENANT + len(tokens)


def _integrations_uow(identity_uow: Any) -> Any:
    return partial(PostgresIntegrationsUnitOfWork, *identity_uow.args)


def _connection(scope: Scope, connection_id: Any, now: datetime) -> Connection:
    scopes = CATALOG["hubspot"].scopes
    return Connection.granted(
        id=connection_id,
        tenant_id=TenantId(scope.tenant_id),
        user_id=UserId(scope.user_id),
        provider="hubspot",
        subdomain=None,
        requested=scopes,
        account=GrantedAccount(scopes=scopes),
        at=now,
    )
