"""Feed events: who an announcement is for, and how a transaction's graph changes fold into one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from domain.feed.events import Audience, EventKind, FeedEvent, PublishedEvent, pending_with
from domain.identity.model import Role
from domain.shared.ids import UserId, new_user_id

pytestmark = pytest.mark.unit

AT = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)


def published(audience: Audience, private_to: UserId | None = None) -> PublishedEvent:
    return PublishedEvent(
        seq=1, kind="sync.progress", at=AT, data={}, audience=audience, private_to=private_to
    )


def test_a_private_event_must_name_its_member() -> None:
    with pytest.raises(ValueError, match="names its member"):
        FeedEvent(kind=EventKind.SYNC_STARTED, data={}, audience=Audience.PRIVATE)


@pytest.mark.parametrize("audience", [Audience.MEMBERS, Audience.ADMINS])
def test_only_a_private_event_names_a_member(audience: Audience) -> None:
    with pytest.raises(ValueError, match="names its member"):
        FeedEvent(kind=EventKind.SYNC_STARTED, data={}, audience=audience, private_to=new_user_id())


@pytest.mark.parametrize("audience", [Audience.MEMBERS, Audience.PRIVATE])
def test_a_security_alert_is_for_owners_and_admins_only(audience: Audience) -> None:
    to = new_user_id() if audience is Audience.PRIVATE else None

    with pytest.raises(ValueError, match="owners and admins only"):
        FeedEvent(kind=EventKind.SECURITY_ALERT, data={}, audience=audience, private_to=to)


def test_a_security_alert_for_admins_and_any_event_for_members_are_valid() -> None:
    sut = FeedEvent(kind=EventKind.SECURITY_ALERT, data={"alert": "x"}, audience=Audience.ADMINS)
    for_members = FeedEvent(kind=EventKind.MEMBER_CHANGED, data={})

    assert (sut.audience, for_members.audience) == (Audience.ADMINS, Audience.MEMBERS)


def test_an_event_about_a_personal_source_is_for_its_owner_alone() -> None:
    owner = new_user_id()

    mine = FeedEvent.about_source(EventKind.SYNC_FINISHED, owner, {})
    shared = FeedEvent.about_source(EventKind.SYNC_FINISHED, None, {})

    assert (mine.audience, mine.private_to) == (Audience.PRIVATE, owner)
    assert (shared.audience, shared.private_to) == (Audience.MEMBERS, None)


def test_graph_changes_fold_into_the_union_of_types_and_the_latest_revision() -> None:
    first = FeedEvent.graph_changed(7, {"person", "ticket"}, None)
    later = FeedEvent.graph_changed(5, {"deal", "person"}, None)

    sut = first.absorb(later)

    assert sut is not None
    assert sut.data == {"revision": 7, "object_types": ["deal", "person", "ticket"]}
    assert sut.data == later.absorb(first).data  # type: ignore[union-attr]


@pytest.mark.parametrize(("first", "later"), [(None, {"deal"}), ({"deal"}, None)])
def test_a_change_of_any_type_absorbs_to_any_type(
    first: set[str] | None, later: set[str] | None
) -> None:
    sut = FeedEvent.graph_changed(1, first, None).absorb(FeedEvent.graph_changed(2, later, None))

    assert sut is not None
    assert sut.data == {"revision": 2, "object_types": None}


def test_different_announcements_do_not_fold() -> None:
    me, you = new_user_id(), new_user_id()
    shared = FeedEvent.graph_changed(1, {"deal"}, None)

    assert shared.absorb(FeedEvent.graph_changed(2, {"deal"}, me)) is None
    assert (
        FeedEvent.graph_changed(1, {"a"}, me).absorb(FeedEvent.graph_changed(2, None, you)) is None
    )
    assert shared.absorb(FeedEvent(kind=EventKind.SYNC_STARTED, data={})) is None
    sync = FeedEvent(kind=EventKind.SYNC_PROGRESS, data={"n": 1})
    assert sync.absorb(FeedEvent(kind=EventKind.SYNC_PROGRESS, data={"n": 2})) is None


def test_pending_announcements_keep_one_graph_change_per_audience_in_place() -> None:
    me = new_user_id()
    started = FeedEvent(kind=EventKind.SYNC_STARTED, data={})
    pending: list[FeedEvent] = []

    for announced in (
        FeedEvent.graph_changed(1, {"deal"}, None),
        started,
        FeedEvent.graph_changed(2, {"mail"}, me),
        FeedEvent.graph_changed(3, {"person"}, None),
        FeedEvent.graph_changed(4, {"event"}, me),
    ):
        pending_with(pending, announced)

    assert [(e.kind, e.private_to, e.data) for e in pending] == [
        (EventKind.GRAPH_CHANGED, None, {"revision": 3, "object_types": ["deal", "person"]}),
        (EventKind.SYNC_STARTED, None, {}),
        (EventKind.GRAPH_CHANGED, me, {"revision": 4, "object_types": ["event", "mail"]}),
    ]


def test_other_announcements_are_kept_each_in_order() -> None:
    pending: list[FeedEvent] = []
    events = [FeedEvent(kind=EventKind.SYNC_PROGRESS, data={"n": n}) for n in range(3)]

    for announced in events:
        pending_with(pending, announced)

    assert pending == events


@pytest.mark.parametrize("role", list(Role))
def test_an_event_for_members_reaches_every_role(role: Role) -> None:
    assert published(Audience.MEMBERS).visible_to(new_user_id(), role)


@pytest.mark.parametrize("role", list(Role))
def test_an_event_for_admins_reaches_owners_and_admins_only(role: Role) -> None:
    sut = published(Audience.ADMINS)

    assert sut.visible_to(new_user_id(), role) is (role in (Role.OWNER, Role.ADMIN))


@pytest.mark.parametrize("role", list(Role))
def test_a_private_event_reaches_its_member_only_whatever_the_role(role: Role) -> None:
    me = new_user_id()
    sut = published(Audience.PRIVATE, private_to=me)

    assert sut.visible_to(me, role)
    assert not sut.visible_to(new_user_id(), role)
