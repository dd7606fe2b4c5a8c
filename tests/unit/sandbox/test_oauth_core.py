"""The authorization server's core: PKCE, codes, and refresh rotation as an invariant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.fakes.clock import FrozenClock
from adapters.sandbox.oauth.codes import CodeDesk
from adapters.sandbox.oauth.model import AuthorizationRequest, RefreshPolicy
from adapters.sandbox.oauth.pkce import s256, verifier_matches
from adapters.sandbox.oauth.refusal import Reason, Refused
from adapters.sandbox.oauth.store import TokenStore
from adapters.sandbox.stats import Stats

NOW = datetime(2026, 1, 20, tzinfo=UTC)
SINGLE_USE = RefreshPolicy(rotate=True, reuse_revokes_family=True)


def test_s256_matches_the_rfc_7636_appendix_b_vector() -> None:
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"

    assert s256(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
    assert verifier_matches(verifier, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM")
    assert not verifier_matches("short", s256("short"))  # below 43 characters


def _request(challenge: str | None = None) -> AuthorizationRequest:
    return AuthorizationRequest(
        provider="slack",
        client_id="c",
        redirect_uri="https://a/cb",
        scopes=("users:read",),
        state="s",
        code_challenge=challenge,
        subject="x@y",
    )


def _store() -> tuple[TokenStore, CodeDesk, FrozenClock]:
    clock = FrozenClock(NOW)
    tokens = TokenStore(clock, Stats())
    return tokens, CodeDesk(clock, tokens), clock


def test_a_code_expires_and_a_wrong_verifier_burns_it() -> None:
    _, desk, clock = _store()
    desk.issue_code("late", _request(), ("a",), (), timedelta(minutes=10))
    desk.issue_code("pkce", _request(s256("v" * 43)), ("a",), (), timedelta(minutes=10))
    clock.advance(timedelta(minutes=10, seconds=1))

    with pytest.raises(Refused) as late:
        desk.redeem_code("late", client_id="c", redirect_uri="https://a/cb", verifier=None)
    clock.set(NOW)
    with pytest.raises(Refused) as wrong:
        desk.redeem_code("pkce", client_id="c", redirect_uri="https://a/cb", verifier="w" * 43)
    with pytest.raises(Refused) as burnt:
        desk.redeem_code("pkce", client_id="c", redirect_uri="https://a/cb", verifier="v" * 43)

    assert late.value.reason is Reason.CODE_EXPIRED
    assert wrong.value.reason is Reason.PKCE_MISMATCH
    assert burnt.value.reason is Reason.CODE_REUSED


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=12))
def test_a_rotated_refresh_token_never_works_twice_and_reuse_revokes_the_family(
    picks: list[int],
) -> None:
    tokens, desk, _ = _store()
    desk.issue_code("code", _request(), ("a",), (), timedelta(minutes=5))
    family = tokens.open_family(
        desk.redeem_code("code", client_id="c", redirect_uri="https://a/cb", verifier=None),
        scopes=("a",),
    )
    counter = iter(range(10_000))
    chain = [tokens.issue(family, access="a0", access_ttl=None, refresh="r0").refresh_token]
    revoked = False
    for pick in picks:
        presented = chain[min(pick, len(chain) - 1)]
        is_newest = presented == chain[-1]
        try:
            issued = tokens.refresh(
                presented,
                client_id="c",
                policy=SINGLE_USE,
                mint_access=lambda f: f"a{next(counter)}",
                mint_refresh=lambda f: f"r{next(counter)}",
                access_ttl=None,
            )
        except Refused:
            assert revoked or not is_newest
            revoked = True
            continue
        assert is_newest
        assert not revoked
        chain.append(issued.refresh_token)

    assert family.revoked == revoked
