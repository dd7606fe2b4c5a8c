"""Graph: import BPIC 2012 end to end, then serve process maps, before and after late arrivals.

Runs the real use cases against a throwaway PostgreSQL: ``ImportLog`` on the XES file
(262,200 events), then the same file again (which must change nothing), then
``PostgresProcessMaps`` for the whole log and a one-month window, then
10,000 more activities delivered out of time order through ``IngestGraph`` and the same maps
again. The first request after a change (reload or delta) is reported apart from the
steady-state percentiles. For the record, the pure-Python reference on the same traces. Last,
the log split across two sources: every other case becomes one member's private records, and
the maps are served to the owner (who sees the shared part) and to that member (who sees all,
their private activities laid over the shared sequences).
"""

from __future__ import annotations

import random
import resource
import time
import uuid
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import text

from adapters.clock import SystemClock
from adapters.importers.files import LocalFile
from adapters.importers.formats import SniffingParser
from adapters.postgres.engine import create_engine, session_factory
from adapters.postgres.graph_maps import PostgresProcessMaps
from adapters.postgres.graph_uow import PostgresGraphUnitOfWork
from adapters.postgres.identity import PostgresIdentityUnitOfWork
from adapters.postgres.throwaway import start_throwaway_database
from application.graph import sequences
from application.graph.importing import ImportLog, ImportOptions
from application.graph.ingest import IngestGraph
from application.shared.actor import Actor
from application.shared.scope import Scope
from bench.stats import line, percentile
from domain.graph.model import ActivityRecord, GraphBatch, Link, SourceRef
from domain.graph.process_map import MapQuery, Window, compute
from domain.identity.model import Membership, Role, Tenant, User
from domain.shared.ids import new_tenant_id, new_user_id
from domain.shared.secret import Secret

LOG = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "bpic2012.xes.gz"
REQUESTS = 30
LATE = 10_000
MONTH = Window(start=datetime(2011, 11, 1, tzinfo=UTC), end=datetime(2011, 12, 1, tzinfo=UTC))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def run() -> dict[str, float]:
    print(f"Graph: import and process maps on {LOG.name}")
    db = await start_throwaway_database()
    engine = create_engine(db.app, pool_size=2, max_overflow=2)
    try:
        sessions = session_factory(engine)
        actor = await _tenant(partial(PostgresIdentityUnitOfWork, sessions))
        results = await _import(sessions, actor)
        results |= await _reimport(sessions, actor)
        maps = PostgresProcessMaps(sessions)
        results |= await _serve(maps, actor, "initial")
        await _late_arrivals(sessions, actor)
        results |= await _serve(maps, actor, f"after {LATE:,} late activities")
        await _reference(sessions, actor)
        results |= await _split(sessions, maps, actor)
        return results
    finally:
        await engine.dispose()
        db.cluster.destroy()


async def _tenant(identity_uow: partial[PostgresIdentityUnitOfWork]) -> Actor:
    now = datetime.now(UTC)
    tenant = Tenant(id=new_tenant_id(), name="Bench", region="europe-west4", created_at=now)
    user = User(
        id=new_user_id(), email=f"bench-{uuid.uuid4().hex[:8]}@example.com", name="Bench",
        password_hash=Secret("x"), created_at=now,
    )  # fmt: skip
    async with identity_uow(Scope(tenant_id=tenant.id, user_id=user.id)) as uow:
        await uow.tenants.add(tenant)
        await uow.users.add(user)
        await uow.memberships.add(
            Membership(tenant_id=tenant.id, user_id=user.id, role=Role.OWNER, created_at=now)
        )
        await uow.commit()
    return Actor(tenant_id=tenant.id, user_id=user.id, role=Role.OWNER, session_id=uuid.uuid4())


def _importer(sessions: object) -> ImportLog:
    return ImportLog(
        partial(PostgresGraphUnitOfWork, sessions),
        SystemClock(),
        partial(SniffingParser, max_inflated=4 << 30),
        max_bytes=1 << 30,
    )


async def _import(sessions: object, actor: Actor) -> dict[str, float]:
    importer = _importer(sessions)
    before = _rss_mb()
    started = time.perf_counter()
    summary = await importer.execute(actor, await LocalFile.of(LOG), ImportOptions())
    seconds = time.perf_counter() - started
    line("events imported", f"{summary.events:,} ({summary.written.entities:,} entities)")
    line("import, end to end (goal < 7.5 s)", f"{seconds:.2f} s")
    line("import rate", f"{summary.events / seconds:,.0f} events/s")
    line("peak RSS of the process (before import)", f"{_rss_mb():.0f} MB ({before:.0f} MB)")
    return {"import_s": seconds, "events_per_s": summary.events / seconds, "rss_mb": _rss_mb()}


async def _reimport(sessions: object, actor: Actor) -> dict[str, float]:
    started = time.perf_counter()
    summary = await _importer(sessions).execute(actor, await LocalFile.of(LOG), ImportOptions())
    seconds = time.perf_counter() - started
    changed = summary.written.inserted + summary.written.replaced
    line("the same file again (changes nothing)", f"{seconds:.2f} s ({changed:,} changed)")
    return {"reimport_s": seconds}


async def _serve(maps: PostgresProcessMaps, actor: Actor, label: str) -> dict[str, float]:
    """First request after a change (refresh + compute); then the same query again (cached
    per revision); then a different query each time (computed each time)."""
    results = {}
    for name, window in (("whole log", Window()), ("one month", MONTH)):
        query = MapQuery(object_type="case", window=window, top=10)
        started = time.perf_counter()
        first = await maps.compute(actor.scope, query)
        cold = (time.perf_counter() - started) * 1000
        repeated = [await _timed(maps, actor, query) for _ in range(REQUESTS)]
        distinct = [await _timed(maps, actor, _variation(query, n)) for n in range(1, REQUESTS + 1)]
        title = f"{label}, {name}"
        line(f"{title}: first request", f"{cold:.0f} ms ({first.activities:,} activities)")
        for kind, timings in (("same query", repeated), ("new query each time", distinct)):
            p50, p95 = percentile(timings, 50), percentile(timings, 95)
            line(f"{title}: {kind}, p50 / p95 of {REQUESTS}", f"{p50:.1f} / {p95:.1f} ms")
            results[f"{title}:{kind}:p95"] = p95
    return results


def _variation(query: MapQuery, n: int) -> MapQuery:
    window = query.window
    if window.start is not None and window.end is not None:
        shift = timedelta(hours=n)  # the same month, an hour later each time
        window = Window(start=window.start + shift, end=window.end + shift)
    return MapQuery(object_type=query.object_type, window=window, top=10 + n)


async def _timed(maps: PostgresProcessMaps, actor: Actor, query: MapQuery) -> float:
    started = time.perf_counter()
    await maps.compute(actor.scope, query)
    return (time.perf_counter() - started) * 1000


async def _late_arrivals(sessions: object, actor: Actor) -> None:
    uow_for = partial(PostgresGraphUnitOfWork, sessions)
    async with uow_for(actor.scope) as uow:
        cases = [e.ref for e in await uow.entities.all() if e.type == "case"]
    rng = random.Random(2012)
    start = datetime(2011, 10, 1, tzinfo=UTC)
    late = [
        ActivityRecord(
            ref=SourceRef(provider="bench", scope="late", source_id=f"late-{n}"),
            type=rng.choice(["W_Nabellen offertes", "A_ACCEPTED", "O_SENT_BACK"]),
            occurred_at=start + timedelta(seconds=rng.randrange(0, 160 * 86400)),
            links=(Link(object=rng.choice(cases)),),
        )
        for n in range(LATE)
    ]  # random times across the log's span: every one lands inside existing traces
    ingest = IngestGraph(uow_for, SystemClock())
    started = time.perf_counter()
    for offset in range(0, LATE, 1_000):
        await ingest.execute(
            actor.scope, GraphBatch(activities=tuple(late[offset : offset + 1000]))
        )
    line(
        f"{LATE:,} late activities in 10 batches of 1,000", f"{time.perf_counter() - started:.2f} s"
    )


async def _split(sessions: object, maps: PostgresProcessMaps, owner: Actor) -> dict[str, float]:
    """BPIC 2012 split across two sources: the activities of every other case become one
    member's private records (their personal source, unshared), taken out of the shared
    sequences as sharing does. The owner then sees part of the log; that member all of it."""
    member = await _colleague(partial(PostgresIdentityUnitOfWork, sessions), owner)
    uow_for = partial(PostgresGraphUnitOfWork, sessions)
    started = time.perf_counter()
    async with uow_for(member.scope) as uow:
        cases = sorted(e.id for e in await uow.entities.all() if e.type == "case")[::2]
        traces = await uow.sequences.get_many(cases)
        ids = [o.activity_id for trace in traces.values() for o in trace]
        activities = list((await uow.activities.get_many(ids)).values())
        await uow.session.execute(
            text(
                "UPDATE atlas.graph_activities SET private_to = :member "
                "WHERE tenant_id = :tenant AND activity_id = ANY(CAST(:ids AS uuid[]))"
            ),
            {"member": member.user_id, "tenant": member.tenant_id, "ids": ids},
        )
        linked = {link.entity_id for a in activities for link in a.objects}
        known = await uow.entities.get_many(linked)
        revision = await uow.versions.begin_ingest()
        await sequences.maintain(uow, (), activities, known, revision)
        await uow.versions.invalidate()
        await uow.commit()
    line(
        f"split: {len(activities):,} activities of {len(cases):,} cases made private",
        f"{time.perf_counter() - started:.1f} s",
    )
    results = await _serve(maps, owner, "split, the owner (sees the shared part)")
    return results | await _serve(maps, member, "split, the member (sees all: shared + own)")


async def _colleague(identity_uow: partial[PostgresIdentityUnitOfWork], owner: Actor) -> Actor:
    now = datetime.now(UTC)
    user = User(
        id=new_user_id(), email=f"member-{uuid.uuid4().hex[:8]}@example.com", name="Member",
        password_hash=Secret("x"), created_at=now,
    )  # fmt: skip
    async with identity_uow(Scope(tenant_id=owner.tenant_id, user_id=user.id)) as uow:
        await uow.users.add(user)
        await uow.memberships.add(
            Membership(tenant_id=owner.tenant_id, user_id=user.id, role=Role.MEMBER, created_at=now)
        )
        await uow.commit()
    return Actor(
        tenant_id=owner.tenant_id, user_id=user.id, role=Role.MEMBER, session_id=uuid.uuid4()
    )


async def _reference(sessions: object, actor: Actor) -> None:
    """The same map by the plain-Python reference, to show what numpy buys."""
    uow_for = partial(PostgresGraphUnitOfWork, sessions)
    async with uow_for(actor.scope) as uow:
        cases = [e.id for e in await uow.entities.all() if e.type == "case"]
        traces = await uow.sequences.get_many(cases)
    started = time.perf_counter()
    compute(traces, MapQuery(object_type="case"))
    line(
        "pure-Python reference, whole log, same traces",
        f"{(time.perf_counter() - started) * 1000:.0f} ms",
    )
