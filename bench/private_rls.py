"""The cost of user-scoped row security on the largest graph table: the private policy vs the
tenant-only one.

Two byte-identical tables of 1,000,000 activities over 100 tenants, shaped like
``graph_activities`` (tenant_id leads the key; an index on time), 10% of each tenant's rows
private to one of five members: ``tenant_only`` carries the tenant policies
(``tenant_table``), ``private`` the production private ones (``private_policies``), both
FORCEd. Both are read on one app-role connection with the same tenant and user context,
query by query in alternating order (see ``bench.rls`` for why one connection).
"""

from __future__ import annotations

import hashlib
import random
import time
import uuid

import asyncpg

from adapters.postgres.migrations.rls import private_policies, tenant_table
from adapters.postgres.roles import APP_ROLE
from bench.rls import on_throwaway
from bench.stats import line, median

TENANTS = 100
ROWS_PER_TENANT = 10_000
MEMBERS = 5
ROUNDS = 30
LOOKUPS_PER_ROUND = 300

_LOOKUP = "SELECT type FROM bench.{table} WHERE activity_id = $1"
_WINDOW = """SELECT type, count(*) FROM bench.{table}
    WHERE occurred_at >= now() - interval '30 days' GROUP BY type"""


async def run() -> dict[str, float]:
    print("Private rows: user-scoped policy vs tenant-only policy (1,000,000 activities)")
    return await on_throwaway(_load, _measure)


def _md5_uuid(text: str) -> uuid.UUID:
    """What ``md5(text)::uuid`` gives in PostgreSQL: ids both sides can compute."""
    return uuid.UUID(hashlib.md5(text.encode(), usedforsecurity=False).hexdigest())


def _member(tenant: uuid.UUID, n: int) -> uuid.UUID:
    return _md5_uuid(f"{tenant}member-{n}")


async def _load(owner: asyncpg.Connection) -> list[uuid.UUID]:
    tenants = [uuid.uuid4() for _ in range(TENANTS)]
    members = [str(_member(t, n)) for t in tenants for n in range(MEMBERS)]
    started = time.perf_counter()
    await owner.execute(f"CREATE SCHEMA bench; GRANT USAGE ON SCHEMA bench TO {APP_ROLE}")
    for table in ("tenant_only", "private"):
        await owner.execute(
            f"""
            CREATE TABLE bench.{table} (
                tenant_id uuid NOT NULL, activity_id uuid NOT NULL, type text NOT NULL,
                occurred_at timestamptz NOT NULL, private_to uuid,
                PRIMARY KEY (tenant_id, activity_id));
            CREATE INDEX ON bench.{table} (tenant_id, occurred_at, activity_id);
            GRANT SELECT ON bench.{table} TO {APP_ROLE};
            INSERT INTO bench.{table}
            SELECT t.id, md5(t.id::text || g)::uuid, 'step ' || (g % 24),
                   now() - g * interval '7 minutes',
                   CASE WHEN g % 10 = 0 THEN md5(t.id::text || 'member-' || (g % 50 / 10))::uuid
                   END
            FROM unnest('{{{",".join(map(str, tenants))}}}'::uuid[]) AS t(id)
            CROSS JOIN generate_series(1, {ROWS_PER_TENANT}) g;
            """
        )
    for statement in tenant_table("tenant_only"):
        await owner.execute(statement.replace("atlas.tenant_only", "bench.tenant_only"))
    # As migration 0009 does: the table keeps its forced row security, the policies change.
    for statement in [*tenant_table("private")[:2], *private_policies("private")]:
        await owner.execute(statement.replace("atlas.private", "bench.private"))
    for table in ("tenant_only", "private"):
        await owner.execute(f"VACUUM ANALYZE bench.{table}")
    line(f"load 2 x 1,000,000 rows ({len(members):,} members) + analyze",
         f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    return tenants


async def _timed(conn: asyncpg.Connection, query: str, *args: object) -> int:
    started = time.perf_counter_ns()
    await conn.fetch(query, *args)
    return time.perf_counter_ns() - started


async def _round(
    app: asyncpg.Connection, tenant: uuid.UUID, user: uuid.UUID, ids: list[uuid.UUID]
) -> tuple[list[int], list[int], float]:
    tenant_only: list[int] = []
    private: list[int] = []
    async with app.transaction():
        await app.execute("SELECT set_config('app.tenant_id', $1, true)", str(tenant))
        await app.execute("SELECT set_config('app.user_id', $1, true)", str(user))
        for n, i in enumerate(ids):
            pair = (
                (tenant_only, _LOOKUP.format(table="tenant_only")),
                (private, _LOOKUP.format(table="private")),
            )
            for timings, query in pair if n % 2 else reversed(pair):
                timings.append(await _timed(app, query, i))
        windows = [
            (
                await _timed(app, _WINDOW.format(table="private")),
                await _timed(app, _WINDOW.format(table="tenant_only")),
            )
            for _ in range(4)
        ]
    ratio = median([p for p, _ in windows]) / median([t for _, t in windows])
    return tenant_only, private, ratio


async def _measure(app: asyncpg.Connection, tenants: list[uuid.UUID]) -> dict[str, float]:
    rng = random.Random(10)
    tenant_only_ns: list[int] = []
    private_ns: list[int] = []
    window_ratios: list[float] = []
    for _ in range(ROUNDS):
        tenant = rng.choice(tenants)
        user = _member(tenant, rng.randrange(MEMBERS))
        picks = [rng.randint(1, ROWS_PER_TENANT) for _ in range(LOOKUPS_PER_ROUND)]
        ids = [_md5_uuid(f"{tenant}{g}") for g in picks]
        a, b, ratio = await _round(app, tenant, user, ids)
        tenant_only_ns += a
        private_ns += b
        window_ratios.append(ratio)
    results = {
        "private_lookup_us": median(private_ns) / 1000,
        "tenant_lookup_us": median(tenant_only_ns) / 1000,
        "private_window_ratio": median(window_ratios),
    }
    results["private_lookup_ratio"] = results["private_lookup_us"] / results["tenant_lookup_us"]
    count = f"{len(private_ns):,}"
    line(f"lookup by id, tenant-only policy (median of {count})",
         f"{results['tenant_lookup_us']:.0f} us")  # fmt: skip
    line(f"lookup by id, private policy (median of {count})",
         f"{results['private_lookup_us']:.0f} us")  # fmt: skip
    line("lookup ratio (goal <= 1.10)", f"{results['private_lookup_ratio']:.3f}")
    line("30-day window aggregate ratio (goal <= 1.10)", f"{results['private_window_ratio']:.3f}")
    return results
