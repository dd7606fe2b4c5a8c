"""The cost of row-level security: the policy with context vs an explicit WHERE tenant_id.

Two byte-identical tables of 1,000,000 rows over 100 tenants, shaped like every tenant table
(tenant_id leads the primary key): ``guarded`` carries the production policies, FORCEd;
``plain`` has no row security and is queried with ``WHERE tenant_id = $1`` as the owner would.
Both sides run on the same app-role connection, query by query in alternating order: on this
2-core machine two connections of the *same* role differ by up to 25% (backend placement),
which would otherwise swamp a ~10% effect.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg

from adapters.postgres.migrations.rls import tenant_table
from adapters.postgres.roles import APP_ROLE
from adapters.postgres.throwaway import start_throwaway_database
from bench.stats import line, median

TENANTS = 100
ROWS_PER_TENANT = 10_000
LOOKUPS_PER_ROUND = 500
ROUNDS = 30

_GUARDED_LOOKUP = "SELECT amount FROM bench.guarded WHERE id = $1"
_PLAIN_LOOKUP = "SELECT amount FROM bench.plain WHERE tenant_id = $1 AND id = $2"
_GUARDED_AGGREGATE = "SELECT kind, count(*), sum(amount) FROM bench.guarded GROUP BY kind"
_PLAIN_AGGREGATE = (
    "SELECT kind, count(*), sum(amount) FROM bench.plain WHERE tenant_id = $1 GROUP BY kind"
)


async def run() -> dict[str, float]:
    print("RLS cost (1,000,000 rows, 100 tenants)")
    return await on_throwaway(_load, _measure)


async def on_throwaway(
    load: Callable[[asyncpg.Connection], Awaitable[list[uuid.UUID]]],
    measure: Callable[[asyncpg.Connection, list[uuid.UUID]], Awaitable[dict[str, float]]],
) -> dict[str, float]:
    """``load`` as the owner on a throwaway cluster, then ``measure`` as the app role."""
    db = await start_throwaway_database()
    try:
        owner = await asyncpg.connect(**db.owner.asyncpg_kwargs())
        app = await asyncpg.connect(**db.app.asyncpg_kwargs())
        return await measure(app, await load(owner))
    finally:
        db.cluster.destroy()


async def _load(owner: asyncpg.Connection) -> list[uuid.UUID]:
    tenants = [uuid.uuid4() for _ in range(TENANTS)]
    started = time.perf_counter()
    await owner.execute(f"CREATE SCHEMA bench; GRANT USAGE ON SCHEMA bench TO {APP_ROLE}")
    for table in ("guarded", "plain"):
        await owner.execute(
            f"""
            CREATE TABLE bench.{table} (
                tenant_id uuid NOT NULL, id bigint NOT NULL, kind int NOT NULL,
                amount numeric(12, 2) NOT NULL, happened_at timestamptz NOT NULL,
                PRIMARY KEY (tenant_id, id));
            GRANT SELECT ON bench.{table} TO {APP_ROLE};
            INSERT INTO bench.{table}
            SELECT t.id, g, g % 24, (g % 997) * 1.5, now() - g * interval '1 minute'
            FROM unnest($1::uuid[]) AS t(id) CROSS JOIN generate_series(1, {ROWS_PER_TENANT}) g;
            """.replace("$1::uuid[]", "'{" + ",".join(map(str, tenants)) + "}'::uuid[]")
        )
    for statement in tenant_table("guarded"):
        await owner.execute(statement.replace("atlas.guarded", "bench.guarded"))
    for table in ("guarded", "plain"):
        await owner.execute(f"VACUUM ANALYZE bench.{table}")
    line("load 2 x 1,000,000 rows + analyze", f"{time.perf_counter() - started:.1f} s")
    return tenants


async def _timed(conn: asyncpg.Connection, query: str, *args: object) -> int:
    started = time.perf_counter_ns()
    await conn.fetch(query, *args)
    return time.perf_counter_ns() - started


async def _round(
    app: asyncpg.Connection, tenant: uuid.UUID, ids: list[int]
) -> tuple[list[int], list[int], float]:
    guarded: list[int] = []
    plain: list[int] = []
    async with app.transaction():
        await app.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
        for n, i in enumerate(ids):
            # Whoever reads a page first pays the cache miss: take turns going first.
            if n % 2:
                guarded.append(await _timed(app, _GUARDED_LOOKUP, i))
                plain.append(await _timed(app, _PLAIN_LOOKUP, tenant, i))
            else:
                plain.append(await _timed(app, _PLAIN_LOOKUP, tenant, i))
                guarded.append(await _timed(app, _GUARDED_LOOKUP, i))
        aggregates = [
            (await _timed(app, _GUARDED_AGGREGATE), await _timed(app, _PLAIN_AGGREGATE, tenant))
            for _ in range(4)
        ]
    ratio = median([g for g, _ in aggregates]) / median([p for _, p in aggregates])
    return guarded, plain, ratio


async def _measure(app: asyncpg.Connection, tenants: list[uuid.UUID]) -> dict[str, float]:
    rng = random.Random(7)
    await _check_plan(app, tenants[0])
    guarded_ns: list[int] = []
    plain_ns: list[int] = []
    aggregate_ratios: list[float] = []
    for _ in range(ROUNDS):
        tenant = rng.choice(tenants)
        ids = [rng.randint(1, ROWS_PER_TENANT) for _ in range(LOOKUPS_PER_ROUND)]
        guarded, plain, aggregate_ratio = await _round(app, tenant, ids)
        guarded_ns += guarded
        plain_ns += plain
        aggregate_ratios.append(aggregate_ratio)
    results = {
        "lookup_rls_us": median(guarded_ns) / 1000,
        "lookup_plain_us": median(plain_ns) / 1000,
        "aggregate_ratio": median(aggregate_ratios),
    }
    results["lookup_ratio"] = results["lookup_rls_us"] / results["lookup_plain_us"]
    count = f"{len(guarded_ns):,}"
    line(
        f"indexed lookup, policy + context (median of {count})",
        f"{results['lookup_rls_us']:.0f} us",
    )
    line(
        f"indexed lookup, explicit WHERE (median of {count})",
        f"{results['lookup_plain_us']:.0f} us",
    )
    line("indexed lookup ratio (goal <= 1.10)", f"{results['lookup_ratio']:.3f}")
    line("10,000-row aggregate ratio (goal <= 1.10)", f"{results['aggregate_ratio']:.3f}")
    return results


async def _check_plan(app: asyncpg.Connection, tenant: uuid.UUID) -> None:
    # The policy's sub-select must become an InitPlan feeding the primary key's index.
    async with app.transaction():
        await app.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
        plan = "\n".join(
            r[0] for r in await app.fetch("EXPLAIN " + _GUARDED_LOOKUP.replace("$1", "42"))
        )
    if "Index Scan" not in plan or "InitPlan" not in plan:
        raise RuntimeError(f"row security defeated the index:\n{plan}")
    line("plan under RLS", "index scan on (tenant_id, id), context as InitPlan")
