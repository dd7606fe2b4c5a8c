"""Access tokens carry the deployment's region: a verified token of another region is
``WrongRegion`` (naming that region's URL), and one without the claim is an invalid token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import pytest

from adapters.crypto.jwt_keyring import Keyring, new_keyring
from adapters.crypto.jwt_tokens import JwtAccessTokens, StaticKeyring
from adapters.fakes.clock import FrozenClock
from application.shared.actor import Actor
from domain.identity.errors import InvalidAccessToken, WrongRegion
from domain.identity.model import Role
from domain.identity.residency import Residency
from domain.shared.ids import new_tenant_id, new_user_id

URLS = (("europe-west4", "https://eu.atlas.example"), ("us-central1", "https://us.atlas.example"))


def _tokens(keyring: Keyring, region: str | None) -> JwtAccessTokens:
    return JwtAccessTokens(
        StaticKeyring(keyring),
        issuer="urn:atlas",
        audience="urn:atlas:api",
        lifetime=timedelta(minutes=10),
        leeway=timedelta(seconds=5),
        clock=FrozenClock(datetime.now(UTC)),
        residency=Residency(region=region, urls=URLS) if region else None,
    )


@pytest.fixture
def keyring() -> Keyring:
    return new_keyring("EdDSA", datetime.now(UTC) - timedelta(hours=1))


@pytest.fixture
def actor() -> Actor:
    return Actor(
        tenant_id=new_tenant_id(), user_id=new_user_id(), role=Role.OWNER, session_id=uuid4()
    )


def test_a_token_carries_and_passes_its_own_region(keyring: Keyring, actor: Actor) -> None:
    sut = _tokens(keyring, "europe-west4")

    token = sut.mint(actor).token.reveal()

    assert jwt.decode(token, options={"verify_signature": False})["region"] == "europe-west4"
    assert sut.verify(token) == actor


def test_a_token_of_the_other_region_names_its_deployment(keyring: Keyring, actor: Actor) -> None:
    minted_in_us = _tokens(keyring, "us-central1").mint(actor).token.reveal()
    sut = _tokens(keyring, "europe-west4")

    with pytest.raises(WrongRegion) as refusal:
        sut.verify(minted_in_us)

    assert refusal.value.details == {
        "region": "us-central1",
        "region_url": "https://us.atlas.example",
    }


def test_a_token_without_a_region_claim_is_invalid_where_residency_is_checked(
    keyring: Keyring, actor: Actor
) -> None:
    unpinned = _tokens(keyring, None).mint(actor).token.reveal()
    sut = _tokens(keyring, "europe-west4")

    with pytest.raises(InvalidAccessToken):
        sut.verify(unpinned)
