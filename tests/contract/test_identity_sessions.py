"""Refresh sessions, invitations and rate limits behave alike on the fakes and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial

import msgspec
import pytest

from adapters.fakes.clock import FrozenClock
from adapters.fakes.identity import FakeIdentityUnitOfWork
from adapters.fakes.rate_limiter import InMemoryRateLimiter
from adapters.fakes.store import InMemoryStore
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.rate_limits import PostgresRateLimiter
from application.identity.ports import IdentityUnitOfWork, RateLimit, RateLimiter
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.identity.model import Role
from domain.identity.sessions import RefreshTokenState, RevocationReason
from domain.shared.ids import UserId
from tests.factories.bypass import POSTGRES_VARIANTS, twins_of
from tests.factories.identity import (
    WHEN,
    SeededSessions,
    create_invitation,
    create_membership,
    create_user,
    seed_sessions,
    seed_tenant_with_owner,
)

UowFor = Callable[[Scope], IdentityUnitOfWork]
RULE = RateLimit(name="contract", limit=3, window=timedelta(minutes=1))


@pytest.fixture(params=POSTGRES_VARIANTS)
def uow_for(request: pytest.FixtureRequest) -> UowFor:
    if request.param == "fake":
        return partial(FakeIdentityUnitOfWork, InMemoryStore())
    if request.param == "bypass":
        return partial(PostgresIdentityUnitOfWork, request.getfixturevalue("bypass").sessions)
    return request.getfixturevalue("postgres_identity_uow")  # type: ignore[no-any-return]


async def _seeded(uow_for: UowFor) -> tuple[Scope, SeededSessions]:
    tenant, (owner,) = await seed_tenant_with_owner(uow_for)
    seeded = await seed_sessions(uow_for, tenant, owner)
    return Scope(tenant_id=tenant.id, user_id=owner.id), seeded


async def test_a_token_is_consumed_once_and_only_by_its_owner(uow_for: UowFor) -> None:
    scope, seeded = await _seeded(uow_for)
    colleague_scope = Scope(tenant_id=scope.tenant_id, user_id=(await _colleague(uow_for, scope)))
    later = WHEN + timedelta(minutes=1)

    async with uow_for(colleague_scope) as uow:
        stolen = await uow.sessions.consume(seeded.leaf.digest, later)
    async with uow_for(scope) as uow:
        consumed = await uow.sessions.consume(seeded.leaf.digest, later)
        again = await uow.sessions.consume(seeded.leaf.digest, later)
        await uow.commit()
    async with uow_for(scope) as uow:
        stored = await uow.sessions.find_token(seeded.leaf.digest)

    assert stolen is None  # user-private: a colleague cannot even see it
    assert consumed is not None
    assert consumed.state is RefreshTokenState.ROTATED
    assert again is None
    assert stored == consumed


async def _colleague(uow_for: UowFor, scope: Scope) -> UserId:
    person = create_user()
    assert scope.tenant_id is not None
    async with uow_for(Scope(tenant_id=scope.tenant_id, user_id=person.id)) as uow:
        await uow.users.add(person)
        await uow.memberships.add(create_membership(scope.tenant_id, person.id))
        await uow.commit()
    return person.id


async def test_the_sessions_list_reads_name_the_user_and_see_only_theirs(uow_for: UowFor) -> None:
    scope, seeded = await _seeded(uow_for)
    assert scope.tenant_id is not None
    assert scope.user_id is not None
    colleague = await _colleague(uow_for, scope)

    async with uow_for(scope) as uow:
        mine = await uow.sessions.families_of(scope.tenant_id, scope.user_id)
        theirs = await uow.sessions.families_of(scope.tenant_id, colleague)
        found = await uow.sessions.family_of(scope.tenant_id, scope.user_id, seeded.family.id)
        named_wrong = await uow.sessions.family_of(scope.tenant_id, colleague, seeded.family.id)
    async with uow_for(Scope(tenant_id=scope.tenant_id, user_id=colleague)) as uow:
        peeked = await uow.sessions.family_of(scope.tenant_id, scope.user_id, seeded.family.id)

    assert [f.id for f in mine] == [seeded.family.id]
    assert theirs == []
    assert found is not None
    assert found.id == seeded.family.id
    assert named_wrong is None
    assert peeked is None  # row security, even when the query names the owner


async def test_children_and_superseding_follow_the_family(uow_for: UowFor) -> None:
    scope, seeded = await _seeded(uow_for)

    async with uow_for(scope) as uow:
        children = await uow.sessions.children(seeded.root.digest)
        await uow.sessions.supersede_unused(seeded.family.id, WHEN + timedelta(seconds=5))
        await uow.commit()
    async with uow_for(scope) as uow:
        leaf = await uow.sessions.find_token(seeded.leaf.digest)
        root = await uow.sessions.find_token(seeded.root.digest)

    assert [c.digest for c in children] == [seeded.leaf.digest]
    assert leaf is not None
    assert leaf.state is RefreshTokenState.SUPERSEDED
    assert root is not None
    assert root.state is RefreshTokenState.ROTATED  # already used: untouched


async def test_a_revoked_family_is_no_longer_open(uow_for: UowFor) -> None:
    scope, seeded = await _seeded(uow_for)

    async with uow_for(scope) as uow:
        opened = await uow.sessions.open_families()
        locked = await uow.sessions.get_family(seeded.family.id, lock=True)
        assert locked is not None
        await uow.sessions.save_family(locked.revoke(WHEN, RevocationReason.LOGOUT))
        await uow.commit()
    async with uow_for(scope) as uow:
        after = await uow.sessions.open_families()
        revoked = await uow.sessions.get_family(seeded.family.id)

    assert [f.id for f in opened] == [seeded.family.id]
    assert after == []
    assert revoked is not None
    assert revoked.revoked_reason is RevocationReason.LOGOUT


async def test_removing_a_membership_removes_its_sessions(uow_for: UowFor) -> None:
    scope, seeded = await _seeded(uow_for)
    assert scope.user_id is not None

    async with uow_for(scope) as uow:
        await uow.memberships.remove(scope.user_id)
        await uow.commit()
    async with uow_for(scope) as uow:
        family = await uow.sessions.get_family(seeded.family.id)
        token = await uow.sessions.find_token(seeded.leaf.digest)

    assert (family, token) == (None, None)


async def test_an_invitation_is_accepted_once_and_only_while_open(uow_for: UowFor) -> None:
    scope, _ = await _seeded(uow_for)
    assert scope.tenant_id is not None
    assert scope.user_id is not None
    invitation = create_invitation(scope.tenant_id, scope.user_id)
    anonymous_in_tenant = Scope(tenant_id=scope.tenant_id, user_id=None)

    async with uow_for(scope) as uow:
        await uow.invitations.add(invitation)
        await uow.commit()
    async with uow_for(anonymous_in_tenant) as uow:
        found = await uow.invitations.find(invitation.digest)
        late = await uow.invitations.accept(invitation.digest, invitation.expires_at)
        accepted = await uow.invitations.accept(invitation.digest, WHEN)
        twice = await uow.invitations.accept(invitation.digest, WHEN)
        await uow.commit()
    async with uow_for(Scope.ANONYMOUS) as uow:
        outside = await uow.invitations.find(invitation.digest)

    assert found == invitation
    assert late is None
    assert accepted == msgspec.structs.replace(invitation, accepted_at=WHEN)
    assert twice is None
    assert outside is None


@pytest.fixture(params=POSTGRES_VARIANTS)
def limiter(request: pytest.FixtureRequest) -> tuple[RateLimiter, FrozenClock]:
    clock = FrozenClock(WHEN)
    if request.param == "fake":
        return InMemoryRateLimiter(clock), clock
    if request.param == "bypass":
        sessions = request.getfixturevalue("bypass").sessions
    else:
        sessions = request.getfixturevalue("sessions")
    return PostgresRateLimiter(sessions, key=b"k" * 32, clock=clock), clock


async def test_a_limit_counts_attempts_per_subject_within_its_window(
    limiter: tuple[RateLimiter, FrozenClock],
) -> None:
    sut, clock = limiter
    subject = f"victim-{id(sut)}-{WHEN.timestamp()}@example.com"

    allowed = [await sut.attempt(RULE, subject) for _ in range(3)]
    peeked = await sut.exceeded(RULE, subject)
    refused = await sut.attempt(RULE, subject)
    other = await sut.attempt(RULE, subject + ".other")
    clock.advance(timedelta(seconds=30))
    still = await sut.exceeded(RULE, subject)
    clock.advance(timedelta(seconds=31))
    reset = await sut.attempt(RULE, subject)

    assert allowed == [None, None, None]
    assert peeked == 60
    assert refused == 60
    assert other is None
    assert still == 30
    assert reset is None


async def test_a_refund_takes_back_one_attempt_down_to_none(
    limiter: tuple[RateLimiter, FrozenClock],
) -> None:
    sut, _ = limiter
    subject = f"refund-{id(sut)}-{WHEN.timestamp()}@example.com"

    for _ in range(3):
        await sut.attempt(RULE, subject)
    await sut.refund(RULE, subject)
    after_one = await sut.attempt(RULE, subject)  # back to 3 of 3: still allowed
    for _ in range(4):
        await sut.refund(RULE, subject)  # more refunds than attempts: the count stays at none
    fresh = [await sut.attempt(RULE, subject) for _ in range(3)]
    over = await sut.attempt(RULE, subject)

    assert after_one is None
    assert fresh == [None, None, None]
    assert over is not None


async def test_the_profile_snapshot_shows_only_the_scope_and_its_session(uow_for: UowFor) -> None:
    scope, seeded = await _seeded(uow_for)
    other, (stranger,) = await seed_tenant_with_owner(uow_for)
    assert scope.tenant_id is not None
    assert scope.user_id is not None
    mine = Actor(
        tenant_id=scope.tenant_id, user_id=scope.user_id, role=Role.OWNER,
        session_id=seeded.family.id,
    )  # fmt: skip
    foreign_tenant = msgspec.structs.replace(mine, tenant_id=other.id)
    foreign_user = msgspec.structs.replace(mine, user_id=stranger.id)

    async with uow_for(scope) as uow:
        snapshot = await uow.profiles.snapshot(mine)
    async with uow_for(foreign_tenant.scope) as uow:
        not_a_member = await uow.profiles.snapshot(foreign_tenant)
    async with uow_for(scope) as uow:
        someone_else = await uow.profiles.snapshot(foreign_user)

    assert snapshot is not None
    assert snapshot.family == seeded.family
    assert snapshot.tenant.id == scope.tenant_id
    twins = twins_of(scope.tenant_id)  # the same person's twin memberships (bypass variant)
    assert [t.tenant_id for t in snapshot.tenants if t.tenant_id not in twins] == [scope.tenant_id]
    assert not_a_member is not None
    assert not_a_member.family is None  # no session of this user lives there
    assert someone_else is None


async def test_a_family_is_read_with_its_users_current_role(uow_for: UowFor) -> None:
    scope, seeded = await _seeded(uow_for)
    family_id = seeded.family.id
    colleague_scope = Scope(tenant_id=scope.tenant_id, user_id=(await _colleague(uow_for, scope)))

    async with uow_for(scope) as uow:
        before = await uow.sessions.family_and_role(family_id)
        await uow.memberships.save(
            create_membership(scope.tenant_id, scope.user_id, Role.MEMBER)  # type: ignore[arg-type]
        )
        demoted = await uow.sessions.family_and_role(family_id)
    async with uow_for(colleague_scope) as uow:
        foreign = await uow.sessions.family_and_role(family_id)

    assert before is not None
    assert (before[0].id, before[1]) == (family_id, Role.OWNER)
    assert demoted is not None
    assert demoted[1] is Role.MEMBER
    assert foreign is None  # another user's session is invisible, like its rows
