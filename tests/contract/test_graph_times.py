"""Times at the edge of the range: refused alike by the fakes and PostgreSQL, never a 500.

Python's datetime spans years 1 to 9999 and cannot move a time near either end across an
offset; the database driver stores the very first and last times as infinities. A time is
accepted only inside that range once in UTC, with a time zone, wherever it comes in: an
ingested record, a window, a cursor.
"""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from application.graph.ports import ActivityFilter
from application.graph.queries import ListActivities
from domain.graph.errors import InvalidCursor, InvalidRecord, InvalidWindow
from domain.graph.model import GraphBatch, Link
from domain.graph.process_map import Window
from tests.factories.graph import T0, create_activity, create_entity
from tests.factories.graph_harness import Graph

FIRST = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
LAST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-1)))

offsets = st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m)))
moments = st.none() | st.datetimes(timezones=offsets | st.just(UTC) | st.none())


@pytest.mark.parametrize(
    "moment", [FIRST, LAST, datetime(1, 1, 1, tzinfo=UTC), T0.replace(tzinfo=None)]
)
async def test_an_activity_time_outside_the_range_is_refused(
    graph: Graph, moment: datetime
) -> None:
    scope = await graph.tenant()
    ticket = create_entity()
    batch = GraphBatch(
        entities=(ticket,),
        activities=(create_activity(occurred_at=moment, links=(Link(object=ticket.ref),)),),
    )

    with pytest.raises(InvalidRecord):
        await graph.ingest().execute(scope, batch)

    entities, activities, _, _ = await graph.state(scope)
    assert (entities, activities) == ([], [])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(start=moments, end=moments)
@example(start=FIRST, end=None)
@example(start=None, end=LAST)
@example(start=datetime(1, 1, 1, 0, 0, 0, 1, UTC), end=datetime(9999, 12, 31, 23, 59, 59, 1, UTC))
async def test_a_window_is_refused_or_answered_alike_on_every_store(
    graph: Graph, start: datetime | None, end: datetime | None
) -> None:
    scope = await graph.tenant()

    try:
        window = Window(start=start, end=end)
    except InvalidWindow:
        return
    async with graph.uow_for(scope) as uow:
        found = await uow.activities.page(
            ActivityFilter(start=window.start, end=window.end), after=None, limit=5
        )

    assert found == []


def _cursor(at: str) -> str:
    raw = msgspec.json.encode([at, "00000000-0000-0000-0000-000000000001"])
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "at", ["2024-01-01T00:00:00", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-01:00"]
)
async def test_a_cursor_without_a_time_zone_or_out_of_range_is_refused(
    graph: Graph, at: str
) -> None:
    actor = await graph.actor()
    ticket = create_entity()
    stored = create_activity(links=(Link(object=ticket.ref),))
    await graph.ingest().execute(actor.scope, GraphBatch(entities=(ticket,), activities=(stored,)))

    with pytest.raises(InvalidCursor):
        await ListActivities(graph.uow_for).execute(
            actor, ActivityFilter(), cursor=_cursor(at), limit=10
        )
