"""A connection's lifecycle: grants, dead grants noticed once, cooldowns, reconnecting."""

from __future__ import annotations

from datetime import timedelta

from application.shared.scope import Scope
from domain.integrations.connection import ConnectionStatus, GrantedAccount
from domain.shared.ids import new_tenant_id, new_user_id
from tests.factories.integrations import WHEN, create_connection

SCOPE = Scope(tenant_id=new_tenant_id(), user_id=new_user_id())


def test_a_grant_broader_than_requested_is_flagged_for_review() -> None:
    sut = create_connection(SCOPE, provider="gmail")
    broader = GrantedAccount(scopes=(*sut.scopes_requested, "https://mail.google.com/"))

    flagged = sut.activated(requested=sut.scopes_requested, account=broader, at=WHEN)
    exact = sut.activated(
        requested=sut.scopes_requested, account=GrantedAccount(scopes=sut.scopes_requested), at=WHEN
    )

    assert flagged.needs_review
    assert not exact.needs_review


def test_a_dead_grant_is_noticed_once_until_reconnected() -> None:
    sut = create_connection(SCOPE)

    dead = sut.needs_reauth("invalid_grant", WHEN)
    still_dead = dead.needs_reauth("invalid_grant", WHEN + timedelta(hours=1))
    reconnected = still_dead.activated(
        requested=sut.scopes_requested, account=GrantedAccount(scopes=sut.scopes_requested),
        at=WHEN + timedelta(days=1),
    )  # fmt: skip
    dead_again = reconnected.needs_reauth("invalid_grant", WHEN + timedelta(days=2))

    assert dead.first_notice(sut)
    assert not still_dead.first_notice(dead)
    assert reconnected.status is ConnectionStatus.ACTIVE
    assert reconnected.id == sut.id
    assert dead_again.first_notice(reconnected)


def test_failures_count_up_and_a_refresh_clears_them() -> None:
    sut = create_connection(SCOPE)

    once = sut.failed("http_503", WHEN, WHEN + timedelta(seconds=5))
    twice = once.failed("timeout", WHEN, WHEN + timedelta(seconds=9))
    healed = twice.refreshed(WHEN + timedelta(seconds=10))

    assert (twice.status, twice.failure_count, twice.last_error) == (
        ConnectionStatus.ERROR,
        2,
        "timeout",
    )
    assert twice.usable
    assert (healed.status, healed.failure_count, healed.retry_not_before) == (
        ConnectionStatus.ACTIVE,
        0,
        None,
    )
    assert not sut.revoked(WHEN, "revoked").usable
