"""The retrieval audit behaves alike on the fakes and on PostgreSQL: the reference and the
outcome are kept, and a row is private to the member who retrieved."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any
from uuid import uuid4

import pytest

from adapters.fakes.graph import FakeGraphUnitOfWork
from adapters.fakes.originals import FakeOriginalsUnitOfWork
from adapters.postgres.originals import PostgresOriginalsUnitOfWork
from application.shared.scope import Scope
from domain.graph.model import SourceRef
from domain.graph.originals import Retrieval, RetrievalOutcome
from domain.shared.errors import ScopeViolation
from domain.shared.ids import UserId, new_id
from tests.factories.graph import T0
from tests.factories.graph_harness import Graph
from tests.factories.identity import seed_tenant_with_owner


def originals_uow_for(g: Graph) -> Any:
    uow = g.uow_for
    assert isinstance(uow, partial)
    kind = FakeOriginalsUnitOfWork if uow.func is FakeGraphUnitOfWork else None
    return partial(kind or PostgresOriginalsUnitOfWork, *uow.args)


def retrieval(scope: Scope, record_id: Any, outcome: RetrievalOutcome, minutes: int) -> Retrieval:
    assert scope.tenant_id is not None
    assert scope.user_id is not None
    return Retrieval(
        id=new_id(),
        tenant_id=scope.tenant_id,
        user_id=scope.user_id,
        record_kind="activity",
        record_id=record_id,
        ref=SourceRef(provider="gmail", scope=str(uuid4()), source_id="message:18c2f0a1b2"),
        outcome=outcome,
        retrieved_at=T0 + timedelta(minutes=minutes),
    )


async def test_retrievals_keep_the_reference_and_outcome_in_order(graph: Graph) -> None:
    sut, scope, record_id = originals_uow_for(graph), await graph.tenant(), uuid4()
    later = retrieval(scope, record_id, RetrievalOutcome.GONE, 5)
    first = retrieval(scope, record_id, RetrievalOutcome.OK, 1)

    async with sut(scope) as uow:
        await uow.retrievals.add(later)
        await uow.retrievals.add(first)
        await uow.commit()
    async with sut(scope) as uow:
        found = await uow.retrievals.of_record(record_id)
        other = await uow.retrievals.of_record(uuid4())

    assert found == [first, later]
    assert other == []


async def test_a_retrieval_is_private_to_its_member_and_tenant(graph: Graph) -> None:
    sut, scope, record_id = originals_uow_for(graph), await graph.tenant(), uuid4()
    tenant, people = await seed_tenant_with_owner(graph.identity, members=2)
    mine = Scope(tenant_id=tenant.id, user_id=people[0].id)
    colleague = Scope(tenant_id=tenant.id, user_id=people[1].id)
    async with sut(mine) as uow:
        await uow.retrievals.add(retrieval(mine, record_id, RetrievalOutcome.OK, 0))
        await uow.commit()

    async with sut(colleague) as uow:
        seen_by_colleague = await uow.retrievals.of_record(record_id)
    async with sut(scope) as uow:
        seen_elsewhere = await uow.retrievals.of_record(record_id)

    assert seen_by_colleague == []
    assert seen_elsewhere == []


async def test_a_retrieval_cannot_be_written_for_someone_else(graph: Graph) -> None:
    sut, scope = originals_uow_for(graph), await graph.tenant()
    assert scope.tenant_id is not None
    forged = retrieval(Scope(tenant_id=scope.tenant_id, user_id=UserId(uuid4())), uuid4(),
                       RetrievalOutcome.OK, 0)  # fmt: skip

    with pytest.raises(ScopeViolation):
        async with sut(scope) as uow:
            await uow.retrievals.add(forged)
            await uow.commit()
