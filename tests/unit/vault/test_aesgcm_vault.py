"""The AES-GCM vault: round trips, and any change to AAD, key, IV, tag or ciphertext fails."""

from __future__ import annotations

import os
from uuid import uuid4

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.crypto.aesgcm_vault import AesGcmVault
from adapters.fakes.store import InMemoryStore
from adapters.fakes.vault import FakeKeyVersions
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret
from domain.vault import envelope
from domain.vault.errors import CredentialUnreadable, ValueTooLarge
from domain.vault.model import MAX_PLAINTEXT_BYTES, Binding, Purpose, SealedValue
from tests.factories.vault import keyring_on, started_vault

pytestmark = pytest.mark.unit

uuids = st.uuids()
bindings = st.builds(
    lambda t, u, p, r: Binding(
        tenant_id=TenantId(t), user_id=u and UserId(u), purpose=p, record_id=r
    ),
    uuids,
    st.none() | uuids,
    st.sampled_from(Purpose),
    uuids,
)


async def _vault(master: bytes | None = None) -> AesGcmVault:
    keyring = keyring_on(FakeKeyVersions(InMemoryStore()), master=Secret(master or os.urandom(32)))
    return await started_vault(keyring)


@pytest.fixture(scope="module")
async def vault() -> AesGcmVault:
    return await _vault()


def _binding(**changes: object) -> Binding:
    values: dict[str, object] = {
        "tenant_id": TenantId(uuid4()),
        "user_id": UserId(uuid4()),
        "purpose": Purpose.OAUTH_ACCESS,
        "record_id": uuid4(),
    }
    return Binding(**(values | changes))  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=MAX_PLAINTEXT_BYTES), binding=bindings)
async def test_any_value_up_to_64_kib_round_trips(
    vault: AesGcmVault, data: bytes, binding: Binding
) -> None:
    sealed = await vault.seal(Secret(data), binding)

    assert (await vault.open(sealed, binding)).reveal() == data
    assert len(sealed.envelope) == 5 + 12 + len(data) + 16


async def test_the_largest_value_round_trips_and_a_larger_one_is_refused(
    vault: AesGcmVault,
) -> None:
    binding, largest = _binding(), os.urandom(MAX_PLAINTEXT_BYTES)

    sealed = await vault.seal(Secret(largest), binding)

    assert (await vault.open(sealed, binding)).reveal() == largest
    with pytest.raises(ValueTooLarge):
        await vault.seal(Secret(largest + b"x"), binding)


@settings(max_examples=200, deadline=None)
@given(data=st.binary(max_size=512), position=st.integers(min_value=0), bit=st.integers(0, 7))
async def test_flipping_any_single_bit_of_the_envelope_fails_to_open(
    vault: AesGcmVault, data: bytes, position: int, bit: int
) -> None:
    binding = _binding()
    sealed = await vault.seal(Secret(data), binding)
    tampered = bytearray(sealed.envelope)
    tampered[position % len(tampered)] ^= 1 << bit  # format, key id, IV, ciphertext or tag

    with pytest.raises(CredentialUnreadable):
        await vault.open(msgspec.structs.replace(sealed, envelope=bytes(tampered)), binding)


@settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=256), field=st.sampled_from(["tenant", "user", "purpose", "record"]))
async def test_a_value_opens_under_no_other_binding(
    vault: AesGcmVault, data: bytes, field: str
) -> None:
    binding = _binding()
    other = {
        "tenant": _binding(
            user_id=binding.user_id, purpose=binding.purpose, record_id=binding.record_id
        ),
        "user": _binding(
            tenant_id=binding.tenant_id, purpose=binding.purpose, record_id=binding.record_id
        ),
        "purpose": _binding(
            tenant_id=binding.tenant_id,
            user_id=binding.user_id,
            purpose=Purpose.OAUTH_REFRESH,
            record_id=binding.record_id,
        ),
        "record": _binding(
            tenant_id=binding.tenant_id, user_id=binding.user_id, purpose=binding.purpose
        ),
    }[field]
    sealed = await vault.seal(Secret(data), binding)

    with pytest.raises(CredentialUnreadable):
        await vault.open(sealed, other)


async def test_a_relabelled_key_version_or_another_key_fails_to_open(vault: AesGcmVault) -> None:
    binding = _binding()
    sealed = await vault.seal(Secret(b"token"), binding)
    stranger = await _vault()  # same version number, a key from another master secret

    with pytest.raises(CredentialUnreadable):  # the row claims another version
        await vault.open(SealedValue(key_version=2, envelope=sealed.envelope), binding)
    with pytest.raises(CredentialUnreadable):
        await stranger.open(sealed, binding)


async def test_sealing_the_same_value_twice_gives_different_ivs_and_ciphertexts(
    vault: AesGcmVault,
) -> None:
    binding = _binding()
    items = [(Secret(b"the same plaintext"), binding)] * 10_000

    envelopes = [s.envelope for s in await vault.seal_all(items)]
    ivs = {envelope.unpack(e)[1] for e in envelopes}

    assert {len(iv) for iv in ivs} == {12}
    assert len(ivs) == len(set(envelopes)) == 10_000


async def test_no_iv_repeats_over_a_million_seals(vault: AesGcmVault) -> None:
    binding = _binding()
    batch = [(Secret(b""), binding)] * 50_000
    ivs: set[bytes] = set()

    for _ in range(20):
        ivs.update(s.envelope[5:17] for s in await vault.seal_all(batch))

    assert len(ivs) == 1_000_000


async def test_a_truncated_envelope_of_any_length_fails_to_open(vault: AesGcmVault) -> None:
    binding = _binding()
    sealed = await vault.seal(Secret(b"a token"), binding)

    for length in range(len(sealed.envelope)):
        cut = msgspec.structs.replace(sealed, envelope=sealed.envelope[:length])
        with pytest.raises(CredentialUnreadable):
            await vault.open(cut, binding)
