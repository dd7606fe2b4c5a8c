"""Real password hashing: bcrypt cost 12 by default, argon2id on request, rehash when they differ.

These run real bcrypt (about 0.25 s a hash here), so each test hashes as little as it can.
"""

from __future__ import annotations

import asyncio

import pytest

from adapters.crypto.passwords import PasswordHashing
from domain.identity.errors import PasswordCheckBusy
from domain.shared.secret import Secret

PASSWORD = Secret("correct horse battery staple")


def _hashing(scheme: str = "bcrypt", cost: int = 12, concurrency: int = 2, wait: float = 5.0):  # type: ignore[no-untyped-def]
    return PasswordHashing(
        scheme=scheme,  # type: ignore[arg-type]
        bcrypt_cost=cost,
        concurrency=concurrency,
        wait_seconds=wait,
    )


async def test_bcrypt_cost_12_is_the_default_and_verifies_only_the_right_password() -> None:
    sut = _hashing()

    stored = await sut.hash(PASSWORD)

    assert stored.reveal().startswith("$2b$12$")
    assert await sut.verify(PASSWORD, stored)
    assert not await sut.verify(Secret("correct horse battery stapler"), stored)
    assert not sut.needs_rehash(stored)


async def test_a_changed_scheme_or_cost_asks_for_a_rehash_and_old_hashes_still_verify() -> None:
    bcrypt_12 = await _hashing().hash(PASSWORD)
    argon = _hashing("argon2id")

    upgraded = await argon.hash(PASSWORD)

    assert argon.needs_rehash(bcrypt_12)
    assert _hashing(cost=13).needs_rehash(bcrypt_12)
    assert upgraded.reveal().startswith("$argon2id$v=19$")
    assert not argon.needs_rehash(upgraded)
    assert _hashing().needs_rehash(upgraded)
    assert await argon.verify(PASSWORD, bcrypt_12)  # chosen by the stored prefix
    assert await _hashing().verify(PASSWORD, upgraded)


@pytest.mark.parametrize("stored", ["", "plain text", "$2b$12$broken", "$argon2id$v=19$junk"])
async def test_a_malformed_stored_hash_is_a_failed_check_not_an_error(stored: str) -> None:
    assert not await _hashing().verify(PASSWORD, Secret(stored))


async def test_an_unknown_account_runs_a_full_check_against_the_dummy_hash() -> None:
    sut = _hashing()
    await sut.start()
    before = sut.peak

    matched = await sut.verify(PASSWORD, None)

    assert matched is False
    assert before == 1
    assert sut.peak == 1


async def test_concurrent_checks_never_exceed_the_pool_and_leave_the_loop_free() -> None:
    # A wait no loaded machine reaches: this test is about the pool's bound, not its patience.
    sut = _hashing(concurrency=2, wait=300.0)
    stored = await sut.hash(PASSWORD)
    beats_during_a_check = 0

    async def heartbeat() -> None:
        # Counts only beats taken while a check is running in a thread: if checks ran on the
        # event loop, no beat could ever happen while one is in flight.
        nonlocal beats_during_a_check
        while True:
            beats_during_a_check += sut.running > 0
            await asyncio.sleep(0.001)

    beat = asyncio.create_task(heartbeat())
    results = await asyncio.gather(*(sut.verify(PASSWORD, stored) for _ in range(6)))
    beat.cancel()

    assert results == [True] * 6
    assert sut.peak == 2
    assert beats_during_a_check > 0


async def test_a_saturated_pool_answers_busy_instead_of_queueing_forever() -> None:
    sut = _hashing(concurrency=1, wait=0.1)

    first = asyncio.create_task(sut.hash(PASSWORD))
    # The gauge moves in the worker thread, so there is no loop event to wait on: poll it.
    while sut.running == 0:  # noqa: ASYNC110 - until the first hash holds the only slot
        await asyncio.sleep(0.001)
    with pytest.raises(PasswordCheckBusy) as busy:
        await sut.hash(PASSWORD)
    await first

    assert busy.value.retry_after >= 1
