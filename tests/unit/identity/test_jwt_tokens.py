"""JWT access tokens: what Atlas signs verifies, and every known attack is the same 401."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from adapters.crypto.jwt_keyring import Keyring, new_keyring
from adapters.crypto.jwt_tokens import JwtAccessTokens, StaticKeyring
from adapters.fakes.clock import FrozenClock
from application.shared.actor import Actor
from domain.identity.errors import InvalidAccessToken
from domain.identity.model import Role
from domain.shared.ids import new_tenant_id, new_user_id

ISSUER, AUDIENCE = "urn:atlas", "urn:atlas:api"


def _actor() -> Actor:
    return Actor(
        tenant_id=new_tenant_id(), user_id=new_user_id(), role=Role.ADMIN, session_id=uuid4()
    )


def _tokens(keyring: Keyring, clock: FrozenClock | None = None) -> JwtAccessTokens:
    return JwtAccessTokens(
        StaticKeyring(keyring),
        issuer=ISSUER,
        audience=AUDIENCE,
        lifetime=timedelta(minutes=10),
        leeway=timedelta(seconds=5),
        clock=clock or FrozenClock(datetime.now(UTC)),
    )


@pytest.fixture(params=["EdDSA", "ES256"])
def keyring(request: pytest.FixtureRequest) -> Keyring:
    return new_keyring(request.param, datetime.now(UTC) - timedelta(hours=1))


def _claims(actor: Actor, **changes: object) -> dict[str, object]:
    now = int(datetime.now(UTC).timestamp())
    claims: dict[str, object] = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": str(actor.user_id), "iat": now, "exp": now + 600,
        "jti": uuid4().hex, "tid": str(actor.tenant_id), "role": actor.role.value,
        "sid": str(actor.session_id),
    }  # fmt: skip
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(keyring: Keyring, claims: dict[str, object], **headers: object) -> str:
    key = keyring.keys[0]
    header = {"kid": key.kid, "typ": "at+jwt"} | headers
    return jwt.encode(claims, key.private_key, algorithm=keyring.algorithm, headers=header)  # type: ignore[arg-type]


def test_a_token_atlas_signed_verifies_to_its_actor(keyring: Keyring) -> None:
    sut, actor = _tokens(keyring), _actor()

    issued = sut.mint(actor)
    header = jwt.get_unverified_header(issued.token.reveal())

    assert sut.verify(issued.token.reveal()) == actor
    assert header == {"alg": keyring.algorithm, "kid": keyring.keys[0].kid, "typ": "at+jwt"}
    assert issued.expires_at - datetime.now(UTC) <= timedelta(minutes=10)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _alg_none(keyring: Keyring, actor: Actor) -> str:
    header = {"alg": "none", "typ": "at+jwt", "kid": keyring.keys[0].kid}
    return f"{_b64(header)}.{_b64(_claims(actor))}."


def _hs256_with_public_key(keyring: Keyring, actor: Actor) -> str:
    public = keyring.keys[0].public_key
    assert public is not None
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = {"alg": "HS256", "typ": "at+jwt", "kid": keyring.keys[0].kid}
    signing_input = f"{_b64(header)}.{_b64(_claims(actor))}"
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def _tampered(keyring: Keyring, actor: Actor) -> str:
    header, _, signature = _signed(keyring, _claims(actor)).split(".")
    promoted = _b64(_claims(actor, role="owner", tid=str(new_tenant_id())))
    return f"{header}.{promoted}.{signature}"


def _foreign_key(keyring: Keyring, actor: Actor) -> str:
    # An attacker's own key, announced through jku/jwk headers that must be ignored.
    attacker = ed25519.Ed25519PrivateKey.generate()
    header = {"kid": keyring.keys[0].kid, "typ": "at+jwt", "jku": "https://evil.example/jwks"}
    return jwt.encode(_claims(actor), attacker, algorithm="EdDSA", headers=header)


ATTACKS: dict[str, Callable[[Keyring, Actor], str]] = {
    "alg none": _alg_none,
    "HS256 signed with the public key": _hs256_with_public_key,
    "missing exp": lambda k, a: _signed(k, _claims(a, exp=None)),
    "missing jti": lambda k, a: _signed(k, _claims(a, jti=None)),
    "expired past the leeway": lambda k, a: _signed(
        k, _claims(a, exp=int(datetime.now(UTC).timestamp()) - 10)
    ),
    "wrong audience": lambda k, a: _signed(k, _claims(a, aud="urn:other")),
    "audience list": lambda k, a: _signed(k, _claims(a, aud=[AUDIENCE, "urn:other"])),
    "wrong issuer": lambda k, a: _signed(k, _claims(a, iss="urn:evil")),
    "issuer prefix": lambda k, a: _signed(k, _claims(a, iss="urn:atl")),
    "issuer substring": lambda k, a: _signed(k, _claims(a, iss="urn:atlas:x")),
    "tampered payload": _tampered,
    "unknown kid": lambda k, a: _signed(k, _claims(a), kid="no-such-key"),
    "unknown crit header": lambda k, a: _signed(k, _claims(a), crit=["x"], x=1),
    "wrong typ": lambda k, a: _signed(k, _claims(a), typ="JWT"),
    "foreign key via jku": _foreign_key,
    "no tenant claim": lambda k, a: _signed(k, _claims(a, tid=None)),
    "malformed tenant": lambda k, a: _signed(k, _claims(a, tid="tenant-b")),
    "not a token": lambda k, a: "not.a.token",
}


@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_every_attack_is_refused_with_the_same_error(
    keyring: Keyring, attack: Callable[[Keyring, Actor], str]
) -> None:
    sut = _tokens(keyring)
    token = attack(keyring, _actor())

    with pytest.raises(InvalidAccessToken):
        sut.verify(token)


def test_a_token_within_the_leeway_still_verifies(keyring: Keyring) -> None:
    sut, actor = _tokens(keyring), _actor()
    just_expired = _signed(keyring, _claims(actor, exp=int(datetime.now(UTC).timestamp()) - 2))

    assert sut.verify(just_expired) == actor


def test_an_expired_token_from_the_issuer_itself_is_refused(keyring: Keyring) -> None:
    past = FrozenClock(datetime.now(UTC) - timedelta(minutes=20))
    issued = _tokens(keyring, past).mint(_actor())

    with pytest.raises(InvalidAccessToken):
        _tokens(keyring).verify(issued.token.reveal())


def test_old_keys_verify_after_rotation_until_retired(keyring: Keyring) -> None:
    now = datetime.now(UTC)
    old_token = _tokens(keyring).mint(_actor()).token.reveal()
    rotated, new_key = keyring.with_new_key(now - timedelta(seconds=1), timedelta(0))
    sut = _tokens(rotated)

    fresh = sut.mint(_actor()).token.reveal()
    sut.verify(old_token)
    retired = _tokens(rotated.retire(keyring.keys[0].kid, now))

    assert jwt.get_unverified_header(fresh)["kid"] == new_key.kid
    with pytest.raises(InvalidAccessToken):
        retired.verify(old_token)
    assert retired.verify(fresh).role is Role.ADMIN


def test_a_remembered_token_still_fails_once_its_key_is_retired(keyring: Keyring) -> None:
    now = datetime.now(UTC)
    rotated, _ = keyring.with_new_key(now - timedelta(seconds=1), timedelta(0))
    source = StaticKeyring(rotated)
    sut = JwtAccessTokens(
        source,
        issuer=ISSUER,
        audience=AUDIENCE,
        lifetime=timedelta(minutes=10),
        leeway=timedelta(seconds=5),
        clock=FrozenClock(now),
    )
    old = _signed(rotated, _claims(_actor()))  # signed with the first (now verifying) key

    sut.verify(old)
    sut.verify(old)  # the second time from memory
    source.keyring = rotated.retire(rotated.keys[0].kid, now)

    with pytest.raises(InvalidAccessToken):
        sut.verify(old)


def test_a_remembered_token_expires_with_its_exp(
    keyring: Keyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    sut, actor = _tokens(keyring), _actor()
    token = _signed(keyring, _claims(actor, exp=int(datetime.now(UTC).timestamp()) + 60))
    sut.verify(token)
    later = datetime.now(UTC) + timedelta(minutes=2)

    monkeypatch.setattr("adapters.crypto.jwt_tokens.time.time", later.timestamp)
    monkeypatch.setattr("jwt.api_jwt.datetime", _FrozenDatetime(later))

    with pytest.raises(InvalidAccessToken):
        sut.verify(token)


class _FrozenDatetime:
    """Stands in for ``datetime`` inside PyJWT so its own expiry check sees the same moment."""

    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self, tz: object = None) -> datetime:
        return self._at

    def __getattr__(self, name: str) -> object:
        return getattr(datetime, name)
