"""The keyring: one derivation per version, leased counts, rotation, limits and start-up checks."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from uuid import uuid4

import msgspec
import pytest
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from adapters.crypto.aesgcm_vault import AesGcmVault
from adapters.crypto.kdf import pbkdf2_sha256
from adapters.crypto.keyring import Keyring, KeyringPolicy
from adapters.fakes.store import InMemoryStore
from adapters.fakes.vault import FakeKeyVersions, RecordingKeyUsageAlerts, instant_kdf
from domain.shared.ids import TenantId
from domain.shared.secret import Secret
from domain.vault import envelope
from domain.vault.errors import (
    CredentialUnreadable,
    InvalidKdfIterations,
    KeyringMismatch,
    KeyVersionActive,
)
from domain.vault.model import (
    ALERT_AT,
    DEFAULT_ITERATIONS,
    MIN_ITERATIONS,
    ROTATE_AT,
    Binding,
    KeyState,
    Purpose,
)
from tests.factories.vault import keyring_on

pytestmark = pytest.mark.unit

SECRET = Secret(os.urandom(32))


@dataclass
class SpyKdf:
    """Counts derivations; derives with the instant stand-in (PBKDF2 itself has its own test)."""

    calls: list[tuple[bytes, int]] = field(default_factory=list)

    def __call__(self, master: bytes, salt: bytes, iterations: int) -> bytes:
        self.calls.append((salt, iterations))
        return instant_kdf(master, salt, iterations)


@dataclass
class Clock:
    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


def _binding() -> Binding:
    return Binding(
        tenant_id=TenantId(uuid4()), user_id=None, purpose=Purpose.API_KEY, record_id=uuid4()
    )


def _keyring(store: FakeKeyVersions, **options: object) -> Keyring:
    options.setdefault("master", SECRET)
    return keyring_on(store, **options)  # type: ignore[arg-type]


async def test_each_version_is_derived_once_however_many_values_it_seals() -> None:
    spy, store = SpyKdf(), FakeKeyVersions(InMemoryStore())
    keyring = _keyring(store, kdf=spy)
    vault = AesGcmVault(keyring)
    await keyring.start()

    first = [await vault.seal(Secret(b"v1 %d" % n), b := _binding()) for n in range(500)]
    await keyring.rotate()
    second = [(await vault.seal(Secret(b"v2"), b), b) for b in [_binding() for _ in range(500)]]
    opened = [await vault.open(s, b) for s, b in second] + [await vault.open(first[-1], b)]

    assert len(spy.calls) == 2  # version 1 at first start, version 2 at rotation
    assert {s.key_version for s in first} == {1}
    assert {s.key_version for s, _ in second} == {2}
    assert len(opened) == 501


async def test_another_process_derives_a_new_version_once_on_first_use() -> None:
    store = FakeKeyVersions(InMemoryStore())
    rotating, spy = _keyring(store), SpyKdf()
    reading = _keyring(store, kdf=spy)
    await rotating.start()
    await reading.start()
    await rotating.rotate()
    binding = _binding()
    sealed = [await AesGcmVault(rotating).seal(Secret(b"x"), binding) for _ in range(20)]

    opened = [await AesGcmVault(reading).open(s, binding) for s in sealed]

    assert [o.reveal() for o in opened] == [b"x"] * 20
    assert len(spy.calls) == 2  # version 1 at start, version 2 once, on first use


async def test_the_stored_count_leases_blocks_and_is_an_upper_bound() -> None:
    store = FakeKeyVersions(InMemoryStore())
    policy = KeyringPolicy(iterations=MIN_ITERATIONS, lease_block=100, max_lease_block=100)
    keyring = _keyring(store, policy=policy)
    vault = AesGcmVault(keyring)
    await keyring.start()

    counts = []
    for sealed in range(1, 251):
        await vault.seal(Secret(b"v"), _binding())
        counts.append(store.rows[1].encryption_count - sealed)

    assert min(counts) >= 0  # never fewer counted than sealed
    assert store.rows[1].encryption_count == 300  # three leases of 100, one write each


async def test_a_rotation_elsewhere_is_picked_up_when_the_lease_is_rechecked() -> None:
    store, clock = FakeKeyVersions(InMemoryStore()), Clock()
    mine = _keyring(store, monotonic=clock)
    theirs = _keyring(store)
    await mine.start()
    await theirs.start()
    vault = AesGcmVault(mine)
    before = await vault.seal(Secret(b"a"), _binding())

    await theirs.rotate()
    during = await vault.seal(Secret(b"b"), _binding())
    clock.now += 61
    after = await vault.seal(Secret(b"c"), _binding())

    assert (before.key_version, during.key_version, after.key_version) == (1, 1, 2)


async def test_fast_sealing_grows_the_block_so_store_writes_stay_rare() -> None:
    store, clock = FakeKeyVersions(InMemoryStore()), Clock()
    keyring = _keyring(store, monotonic=clock)
    vault = AesGcmVault(keyring)
    await keyring.start()

    for _ in range(1024):  # the first block, used up in 10 ms: 100,000 seals a second
        await vault.seal(Secret(b"v"), _binding())
    clock.now += 0.01
    await vault.seal(Secret(b"v"), _binding())

    assert store.rows[1].encryption_count == 1024 + 65_536  # capped at the largest block


async def test_an_idle_lease_is_kept_rather_than_wasted_while_its_version_seals() -> None:
    store, clock = FakeKeyVersions(InMemoryStore()), Clock()
    keyring = _keyring(store, monotonic=clock)
    vault = AesGcmVault(keyring)
    await keyring.start()
    await vault.seal(Secret(b"a"), _binding())
    leased = store.rows[1].encryption_count

    clock.now += 3600
    await vault.seal(Secret(b"b"), _binding())

    assert store.rows[1].encryption_count == leased


async def test_near_the_iv_limit_the_next_seal_rotates_and_raises_the_alert() -> None:
    store, alerts = FakeKeyVersions(InMemoryStore()), RecordingKeyUsageAlerts()
    keyring = _keyring(store, alerts=alerts)
    vault = AesGcmVault(keyring)
    await keyring.start()
    store.rows[1] = msgspec.structs.replace(store.rows[1], encryption_count=ROTATE_AT - 1)

    sealed = await vault.seal(Secret(b"value"), binding := _binding())

    assert sealed.key_version == 2
    assert store.rows[1].state is KeyState.DECRYPT_ONLY
    assert store.rows[2].state is KeyState.ACTIVE
    assert [a[:2] for a in alerts.raised] == [("usage_high", 1), ("rotated", 1)]
    assert (await vault.open(sealed, binding)).reveal() == b"value"


async def test_past_a_quarter_of_the_limit_an_alert_is_raised_once() -> None:
    store, alerts = FakeKeyVersions(InMemoryStore()), RecordingKeyUsageAlerts()
    keyring = _keyring(store, alerts=alerts, policy=KeyringPolicy(lease_block=10))
    vault = AesGcmVault(keyring)
    await keyring.start()
    store.rows[1] = msgspec.structs.replace(store.rows[1], encryption_count=ALERT_AT)

    for _ in range(50):
        await vault.seal(Secret(b"v"), _binding())

    assert alerts.raised == [("usage_high", 1, ALERT_AT + 10)]
    assert store.rows[1].state is KeyState.ACTIVE


async def test_a_wrong_master_secret_stops_start_up() -> None:
    store = FakeKeyVersions(InMemoryStore())
    await _keyring(store).start()

    with pytest.raises(KeyringMismatch):
        await _keyring(store, master=Secret(os.urandom(32))).start()


@pytest.mark.parametrize("change", [{"salt": os.urandom(16)}, {"iterations": 65_537}])
async def test_altered_kdf_parameters_stop_start_up_and_derive_a_key_that_opens_nothing(
    change: dict[str, object],
) -> None:
    store = FakeKeyVersions(InMemoryStore())
    keyring = _keyring(store, kdf=pbkdf2_sha256)
    await keyring.start()
    binding = _binding()
    sealed = await AesGcmVault(keyring).seal(Secret(b"token"), binding)
    store.rows[1] = msgspec.structs.replace(store.rows[1], **change)
    altered = store.rows[1]

    with pytest.raises(KeyringMismatch):
        await _keyring(store, kdf=pbkdf2_sha256).start()
    key = AESGCM(pbkdf2_sha256(SECRET.reveal(), altered.salt, altered.iterations))
    _, iv, body = envelope.unpack(sealed.envelope)
    with pytest.raises(InvalidTag):
        key.decrypt(iv, body, binding.associated_data(1))


async def test_new_versions_use_600000_iterations_and_fewer_than_65536_are_refused() -> None:
    store, spy = FakeKeyVersions(InMemoryStore()), SpyKdf()
    keyring = _keyring(store, kdf=spy, policy=KeyringPolicy())
    await keyring.start()

    legacy = await keyring.rotate(iterations=MIN_ITERATIONS)
    with pytest.raises(InvalidKdfIterations):
        await keyring.rotate(iterations=MIN_ITERATIONS - 1)

    assert store.rows[1].iterations == DEFAULT_ITERATIONS
    assert (legacy.iterations, legacy.kdf, legacy.hash) == (MIN_ITERATIONS, "pbkdf2", "sha256")
    assert [iterations for _, iterations in spy.calls] == [DEFAULT_ITERATIONS, MIN_ITERATIONS]
    assert len({salt for salt, _ in spy.calls}) == 2  # a fresh random salt per version


async def test_the_sealing_version_cannot_be_retired() -> None:
    keyring = _keyring(FakeKeyVersions(InMemoryStore()))
    await keyring.start()

    with pytest.raises(KeyVersionActive):
        await keyring.retire(1)


async def test_a_retired_version_opens_nothing_and_a_restart_still_starts() -> None:
    store = FakeKeyVersions(InMemoryStore())
    keyring = _keyring(store)
    vault = AesGcmVault(keyring)
    await keyring.start()
    binding = _binding()
    old = await vault.seal(Secret(b"old"), binding)  # never stored: nothing references v1
    await keyring.rotate()

    retired = await keyring.retire(1)
    restarted = _keyring(store)
    await restarted.start()

    assert retired.state is KeyState.RETIRED
    with pytest.raises(CredentialUnreadable):
        await vault.open(old, binding)
    with pytest.raises(CredentialUnreadable):
        await AesGcmVault(restarted).open(old, binding)
    assert (await AesGcmVault(restarted).seal(Secret(b"new"), binding)).key_version == 2


async def test_two_processes_rotating_at_once_end_up_sealing_under_one_version() -> None:
    store = FakeKeyVersions(InMemoryStore())
    first, second = _keyring(store), _keyring(store)
    await first.start()
    await second.start()
    promote = store.promote

    async def racing_promote(new, *, demote, at):  # type: ignore[no-untyped-def]
        store.promote = promote  # type: ignore[method-assign]
        await second.rotate()  # wins while the first is between reading and writing
        return await promote(new, demote=demote, at=at)

    store.promote = racing_promote  # type: ignore[method-assign]
    winner = await first.rotate()
    sealed = [await AesGcmVault(k).seal(Secret(b"v"), _binding()) for k in (first, second)]

    assert winner.version == 2
    assert [v.state for v in await store.all()] == [KeyState.DECRYPT_ONLY, KeyState.ACTIVE]
    assert {s.key_version for s in sealed} == {2}
