"""The explorer on PostgreSQL: object types and the cases behind a node or an edge, for each
member over what they may see. A colleague's unshared mailbox shows in neither their counts nor
their cases; its owner sees it laid over the shared records, as in their map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any
from uuid import uuid4

import pytest

from adapters.clock import SystemClock
from adapters.postgres.graph_maps import PostgresProcessMaps
from adapters.postgres.graph_uow import PostgresGraphUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from application.graph.map_cases import ExploreProcessMap
from application.graph.writer import GraphWriter
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.graph.map_cases import CaseSelector, ObjectTypeCount
from domain.graph.model import ActivityRecord, EntityRecord, GraphBatch, Link, RecordIds, SourceRef
from domain.graph.process_map import MapQuery
from domain.identity.model import Role
from domain.shared.ids import UserId
from tests.factories.identity import seed_tenant_with_owner
from tests.factories.integrations import seed_connection

pytestmark = pytest.mark.integration

START = datetime(2026, 2, 2, tzinfo=UTC)


def _batch(provider: str, scope: str, deals: dict[str, list[str]]) -> GraphBatch:
    """Each deal with its steps an hour apart; the deal's id is also its name."""

    def ref(source_id: str) -> SourceRef:
        return SourceRef(provider=provider, scope=scope, source_id=source_id)

    return GraphBatch(
        entities=tuple(
            EntityRecord(ref=ref(d), type="deal", name=d, url=f"https://crm.example/{d}")
            for d in deals
        ),
        activities=tuple(
            ActivityRecord(ref=ref(f"{d}-{k}"), type=step, occurred_at=START + timedelta(hours=k),
                           links=(Link(object=ref(d)),))
            for d, steps in deals.items()
            for k, step in enumerate(steps)
        ),
    )  # fmt: skip


async def _write(sessions: Any, scope: Scope, batch: GraphBatch, private: bool) -> None:
    assert scope.tenant_id is not None
    owner = UserId(scope.user_id) if private and scope.user_id else None
    async with PostgresGraphUnitOfWork(sessions, scope) as uow:
        await GraphWriter(uow, scope.tenant_id, SystemClock(), private_to=owner).write(batch)
        await uow.commit()


async def test_object_types_and_cases_show_each_member_only_what_they_may_see(
    sessions: Any,
) -> None:
    identity = partial(PostgresIdentityUnitOfWork, sessions)
    tenant, (owner, colleague) = await seed_tenant_with_owner(identity, members=1)
    mine = Scope(tenant_id=tenant.id, user_id=owner.id)
    crm = str(await seed_connection(identity, mine, provider="hubspot"))
    mail = str(await seed_connection(identity, mine, provider="gmail"))  # personal, unshared
    shared = {"d1": ["Open", "Fix", "Close"], "d2": ["Open", "Close"]}
    await _write(sessions, mine, _batch("hubspot", crm, shared), private=False)
    await _write(sessions, mine, _batch("gmail", mail, {"p1": ["Open", "Fix"]}), private=True)
    maps = PostgresProcessMaps(sessions)
    explore = ExploreProcessMap(maps, partial(PostgresGraphUnitOfWork, sessions))
    me, them = (
        Actor(tenant_id=tenant.id, user_id=u.id, role=Role.MEMBER, session_id=uuid4())
        for u in (owner, colleague)
    )
    deals = MapQuery(object_type="deal")
    opened, fixed = CaseSelector(activity="Open"), CaseSelector(source="Open", target="Fix")
    ids = RecordIds(tenant.id)
    private_deal = ids.entity(SourceRef(provider="gmail", scope=mail, source_id="p1"))

    my_types = (await explore.object_types(me)).object_types
    their_types = (await explore.object_types(them)).object_types
    my_open = await explore.cases(me, deals, opened, 50)
    their_open = await explore.cases(them, deals, opened, 50)
    my_fixes = await explore.cases(me, deals, fixed, 50)
    their_fixes = await explore.cases(them, deals, fixed, 50)
    only_short = MapQuery(object_type="deal", variants=(("Open", "Close"),))
    their_short = await explore.cases(them, only_short, opened, 50)

    assert my_types == (ObjectTypeCount(type="deal", objects=3, activities=7),)
    assert their_types == (ObjectTypeCount(type="deal", objects=2, activities=5),)
    assert my_open.total == 3
    assert private_deal in {c.id for c in my_open.cases}
    assert their_open.total == 2
    assert private_deal not in {c.id for c in their_open.cases}
    assert {c.name for c in my_fixes.cases} == {"p1", "d1"}
    assert [c.name for c in their_fixes.cases] == ["d1"]
    case = their_fixes.cases[0]
    assert case.url == "https://crm.example/d1"
    assert [(r.provider, r.source_id) for r in case.records] == [("hubspot", "d1")]
    assert (case.occurrences, case.duration) == (1, 3600.0)
    assert (case.first_at, case.last_at) == (START, START + timedelta(hours=2))
    assert [c.name for c in their_short.cases] == ["d2"]
    for actor, found in ((me, my_open), (them, their_open)):  # the map agrees
        served = await maps.compute(actor.scope, deals)
        assert (
            sum(c.occurrences for c in found.cases)
            == {n.activity: n.count for n in served.nodes}["Open"]
        )
