"""Access tokens as JWTs (RFC 9068 profile) signed with the keyring's one asymmetric algorithm.

Verification pins everything the token could otherwise choose (RFC 8725): the algorithm comes
from configuration, the key from an allowlisted ``kid``, never from ``jku``/``x5u``/``jwk``/
``x5c`` (ignored, nothing is fetched); ``typ`` must be ``at+jwt``; any ``crit`` header is
refused; ``exp iat iss aud sub jti`` are required (PyJWT only checks claims that are present
unless told to require them) and ``iss``/``aud`` must match exactly. Every failure is the same
``InvalidAccessToken``, except one: a valid token whose ``region`` claim names another
region's deployment (which shares this keyring) is ``WrongRegion``, naming that deployment.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import jwt

from adapters.crypto.jwt_keyring import Keyring
from application.identity.ports import AccessTokenIssuer, AccessTokenVerifier, IssuedAccessToken
from application.shared.actor import Actor
from application.shared.ports import Clock
from domain.identity.errors import InvalidAccessToken
from domain.identity.model import Role
from domain.identity.residency import Residency
from domain.shared.ids import TenantId, UserId
from domain.shared.secret import Secret

CACHE_SIZE = 4096  # verified tokens remembered (a signature check costs ~0.2 ms)
TOKEN_TYPE = "at+jwt"  # noqa: S105 - the RFC 9068 media type, not a secret
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti"]
MAX_TOKEN_LENGTH = 4096


class KeyringSource(Protocol):
    def current(self) -> Keyring: ...


class StaticKeyring:
    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring

    def current(self) -> Keyring:
        return self.keyring


class JwtAccessTokens(AccessTokenIssuer, AccessTokenVerifier):
    def __init__(
        self,
        keyring: KeyringSource,
        *,
        issuer: str,
        audience: str,
        lifetime: timedelta,
        leeway: timedelta,
        clock: Clock,
        residency: Residency | None = None,
    ) -> None:
        self._keyring, self._issuer, self._audience = keyring, issuer, audience
        # With a residency, tokens carry this deployment's region and must carry it back.
        self._residency = residency
        self._lifetime, self._leeway, self._clock = lifetime, leeway, clock
        # token -> (actor, kid, exp): a token seen valid stays valid until it expires or its
        # key is retired, both re-checked on every hit. Revocation is the session check's job.
        self._verified: dict[str, tuple[Actor, str, float]] = {}

    def keyring(self) -> Keyring:
        return self._keyring.current()

    def mint(self, actor: Actor) -> IssuedAccessToken:
        now = self._clock.now()
        keyring = self._keyring.current()
        key = keyring.signing_key(now)
        expires_at = now + self._lifetime
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(actor.user_id),
            "iat": int(now.timestamp()),
            "nbf": int(now.timestamp()),
            "exp": int(expires_at.timestamp()),
            "jti": uuid.uuid4().hex,
            "tid": str(actor.tenant_id),
            "role": actor.role.value,
            "sid": str(actor.session_id),
        }
        if self._residency is not None:
            claims["region"] = self._residency.region
        if key.private_key is None:
            raise RuntimeError(f"signing key {key.kid} has no private half")
        token = jwt.encode(
            claims,
            key.private_key,
            algorithm=keyring.algorithm,
            headers={"kid": key.kid, "typ": TOKEN_TYPE},
        )
        return IssuedAccessToken(token=Secret(token), expires_at=_whole_seconds(expires_at))

    def verify(self, token: str) -> Actor:
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidAccessToken()
        keyring = self._keyring.current()
        cached = self._verified.get(token)
        if cached is not None:
            actor, kid, expires = cached
            unexpired = time.time() <= expires + self._leeway.total_seconds()
            if unexpired and keyring.verification_key(kid) is not None:
                return actor
            del self._verified[token]
        actor, kid, expires = self._verify(token, keyring)
        if len(self._verified) >= CACHE_SIZE:
            self._verified.pop(next(iter(self._verified)))  # the oldest entry
        self._verified[token] = (actor, kid, expires)
        return actor

    def expires_at(self, token: str) -> datetime:
        self.verify(token)  # the cache below holds every token verify() accepted
        return datetime.fromtimestamp(self._verified[token][2], UTC)

    def _verify(self, token: str, keyring: Keyring) -> tuple[Actor, str, float]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidAccessToken() from None
        if (
            header.get("typ") != TOKEN_TYPE
            or header.get("alg") != keyring.algorithm
            or "crit" in header
        ):
            raise InvalidAccessToken()
        kid = header.get("kid")
        key = keyring.verification_key(kid)
        if key is None:
            raise InvalidAccessToken()
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[keyring.algorithm],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": REQUIRED_CLAIMS, "strict_aud": True},
            )
        except (jwt.PyJWTError, ValueError, TypeError):
            raise InvalidAccessToken() from None
        if self._residency is not None:
            region = claims.get("region")
            if not isinstance(region, str):
                raise InvalidAccessToken()
            self._residency.admit(region)  # signed by us, for another region's tenant
        return _actor(claims), str(kid), float(claims["exp"])


def _actor(claims: dict[str, Any]) -> Actor:
    try:
        return Actor(
            tenant_id=TenantId(uuid.UUID(claims["tid"])),
            user_id=UserId(uuid.UUID(claims["sub"])),
            role=Role(claims["role"]),
            session_id=uuid.UUID(claims["sid"]),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InvalidAccessToken() from None


def _whole_seconds(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)
