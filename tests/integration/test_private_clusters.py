"""One person, one cluster, for every member, on PostgreSQL: a member's sync that merges a
cluster moves colleagues' private records of it too (they cannot be seen, but must follow)."""

from __future__ import annotations

from functools import partial
from itertools import count
from typing import Any
from uuid import uuid4

import pytest

from adapters.clock import SystemClock
from adapters.postgres.graph_uow import PostgresGraphUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from application.graph.queries import GetEntity, ListEntities
from application.graph.writer import GraphWriter
from application.shared.actor import Actor
from application.shared.scope import Scope
from domain.graph.model import EntityRecord, GraphBatch, Identity, RecordIds, SourceRef
from domain.identity.model import Role
from tests.factories.identity import seed_tenant_with_owner

pytestmark = pytest.mark.integration

EMAIL = Identity(kind="email", value="pat@example.com")


def _person(provider: str, scope: str, source_id: str) -> EntityRecord:
    ref = SourceRef(provider=provider, scope=scope, source_id=source_id)
    return EntityRecord(ref=ref, type="person", name="Pat", identities=(EMAIL,))


async def test_a_merge_by_one_member_moves_a_colleagues_private_records_along(
    sessions: Any,
) -> None:
    tenant, (owner, ada, bob) = await seed_tenant_with_owner(
        partial(PostgresIdentityUnitOfWork, sessions), members=2
    )
    scopes = {p: Scope(tenant_id=tenant.id, user_id=p.id) for p in (owner, ada, bob)}
    ids = RecordIds(tenant.id)
    crm = _person("hubspot", "crm", "contact:1")  # the company's record of Pat
    bobs = _person("gmail", "bob-mailbox", "email:pat@example.com")
    # Ada's record sorts before both: her merge makes it the survivor, so the cluster's
    # records, Bob's private one included, must all be repointed to it.
    floor = min(ids.entity(crm.ref), ids.entity(bobs.ref))
    adas = next(
        record
        for n in count()
        if ids.entity((record := _person("gmail", f"ada-mailbox-{n}", "email:pat")).ref) < floor
    )
    graph = partial(PostgresGraphUnitOfWork, sessions)
    for person, record, private in ((owner, crm, False), (bob, bobs, True), (ada, adas, True)):
        async with graph(scopes[person]) as uow:
            writer = GraphWriter(
                uow, tenant.id, SystemClock(), private_to=person.id if private else None
            )
            await writer.write(GraphBatch(entities=(record,)))
            await uow.commit()

    seen = {}
    for label, person in (("ada", ada), ("bob", bob), ("owner", owner)):
        actor = Actor(tenant_id=tenant.id, user_id=person.id, role=Role.MEMBER, session_id=uuid4())
        listed = await ListEntities(graph).execute(
            actor, type="person", search=None, cursor=None, limit=50
        )
        detail = await GetEntity(graph).execute(actor, listed.entities[0].id)
        seen[label] = (
            [e.id for e in listed.entities],
            sorted(m.ref.scope for m in detail.members),
        )

    cluster = ids.entity(adas.ref)
    assert seen == {
        "ada": ([cluster], sorted(["crm", adas.ref.scope])),
        "bob": ([cluster], sorted(["crm", "bob-mailbox"])),
        "owner": ([cluster], ["crm"]),
    }
