"""Account limits hold under parallel guesses, and nobody can spend someone else's budget."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from application.identity.sessions import Client, TokenPair
from domain.identity import opaque
from domain.identity.errors import (
    InvalidCredentials,
    InvalidEmail,
    InvalidRefreshToken,
    PasswordCheckBusy,
    TooManyAttempts,
)
from domain.identity.model import normalise_email
from tests.factories.sessions import PASSWORD, World, identity_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    return identity_world(tmp_path)


async def test_parallel_wrong_passwords_from_one_address_get_no_more_than_five_checks(
    world: World,
) -> None:
    await world.sign_up(email="ada@example.com")
    before = len(world.hasher.verifications)
    guesser = Client(address="203.0.113.7")

    outcomes = await asyncio.gather(
        *(world.log_in("ada@example.com", "wrong guess", client=guesser) for _ in range(20)),
        return_exceptions=True,
    )

    kinds = [type(o).__name__ for o in outcomes]
    assert kinds.count("InvalidCredentials") == 5
    assert kinds.count("TooManyAttempts") == 15
    assert len(world.hasher.verifications) - before == 5  # the other fifteen never reached a check


async def test_a_stranger_cannot_lock_a_user_out(world: World) -> None:
    await world.sign_up(email="ada@example.com")
    stranger, ada = Client(address="203.0.113.7"), Client(address="198.51.100.20")

    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            await world.log_in("ada@example.com", "wrong guess", client=stranger)
    with pytest.raises(TooManyAttempts):
        await world.log_in("ada@example.com", PASSWORD, client=stranger)  # that address: refused

    signed_in = await world.log_in("ada@example.com", PASSWORD, client=ada)

    assert signed_in.actor.user_id


async def test_many_addresses_together_still_meet_the_accounts_ceiling(world: World) -> None:
    await world.sign_up(email="ada@example.com")
    before = len(world.hasher.verifications)

    outcomes = [
        await _outcome(
            world.log_in("ada@example.com", "guess", client=Client(address=f"10.2.{n}.1"))
        )
        for n in range(30)
        for _ in range(5)
    ]

    assert outcomes.count("InvalidCredentials") == 100  # NIST SP 800-63B: 100 failures at most
    assert outcomes.count("TooManyAttempts") == 50
    assert len(world.hasher.verifications) - before == 100


async def _outcome(attempt: object) -> str:
    try:
        await attempt  # type: ignore[misc]
    except (InvalidCredentials, TooManyAttempts) as refused:
        return type(refused).__name__
    return "signed in"


async def test_a_successful_sign_in_does_not_count_as_a_failure(world: World) -> None:
    await world.sign_up(email="ada@example.com")

    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            await world.log_in("ada@example.com", "wrong guess")
    for _ in range(3):
        await world.log_in("ada@example.com", PASSWORD)  # reserved, then forgiven
    with pytest.raises(InvalidCredentials):
        await world.log_in("ada@example.com", "wrong guess")  # the fifth failure: still heard
    with pytest.raises(TooManyAttempts):
        await world.log_in("ada@example.com", PASSWORD)


async def test_forged_tokens_naming_a_user_cannot_block_their_refresh(world: World) -> None:
    pair: TokenPair = await world.sign_up(email="ada@example.com")
    attacker = Client(address="203.0.113.7")

    for _ in range(40):  # more than the per-session budget, all naming Ada's tenant and id
        forged = opaque.mint(pair.actor.tenant_id, pair.actor.user_id).value
        with pytest.raises(InvalidRefreshToken):  # refused as unknown, never a 429 for Ada
            await world.refresh(forged, client=attacker)

    refreshed = await world.refresh(pair)

    assert refreshed.actor.session_id == pair.actor.session_id


@pytest.mark.parametrize(
    "raw", ["ada\x00@example.com", "ada@exa\x7fmple.com", "a\x1bda@example.com"]
)
def test_control_characters_make_an_email_invalid(raw: str) -> None:
    with pytest.raises(InvalidEmail):
        normalise_email(raw)


def test_bodies_carrying_passwords_or_tokens_never_show_them_in_a_repr() -> None:
    from entrypoints.http.controllers.identity_schemas import LogInBody, RefreshBody

    shown = repr(LogInBody(email="ada@example.com", password="hunter2 hunter2"))
    shown += repr(RefreshBody(refresh_token="t.u.s3cr3t-refresh"))

    assert "hunter2" not in shown
    assert "s3cr3t" not in shown
    assert "ada@example.com" in shown  # the rest stays useful in a traceback


async def test_answers_of_busy_cost_a_polite_client_no_attempts(world: World) -> None:
    await world.sign_up(email="ada@example.com")
    client = Client(address="192.0.2.50")
    world.hasher.busy = True

    for _ in range(30):  # more than the address's 20 a minute and the account's 5
        with pytest.raises(PasswordCheckBusy):
            await world.log_in("ada@example.com", PASSWORD, client=client)
    for n in range(15):  # more than the address's 10 sign-ups an hour
        with pytest.raises(PasswordCheckBusy):
            await world.sign_up(email=f"new{n}@example.com", client=client)
    world.hasher.busy = False

    signed_in = await world.log_in("ada@example.com", PASSWORD, client=client)
    signed_up = await world.sign_up(email="late@example.com", client=client)

    assert signed_in.actor.user_id
    assert signed_up.actor.user_id
