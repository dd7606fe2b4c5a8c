"""The personal export covers every table that names a person (R8.4): the catalog lists them,
and each is carried by a section of the registry or excluded with a reason. A table added
later with such a column (the audit trail's, say) fails this test until it gets a section."""

from __future__ import annotations

import asyncpg

from adapters.postgres.personal_data_sections import (
    EXCLUDED,
    PERSON_COLUMNS,
    SECTIONS,
    covered_tables,
)

TABLES_NAMING_PEOPLE = """
    SELECT c.relname AS table_name, array_agg(a.attname::text ORDER BY a.attnum) AS columns
    FROM pg_class c
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'atlas'::regnamespace
      AND (a.attname = ANY($1::text[]) OR a.attname LIKE '%user%' OR a.attname LIKE '%actor%'
           OR a.attname LIKE '%email%' OR a.attname LIKE '%\\_by')
    GROUP BY c.relname ORDER BY c.relname"""


async def _uncovered(conn: asyncpg.Connection) -> dict[str, list[str]]:
    rows = await conn.fetch(TABLES_NAMING_PEOPLE, sorted(PERSON_COLUMNS))
    known = covered_tables() | EXCLUDED.keys()
    return {r["table_name"]: r["columns"] for r in rows if r["table_name"] not in known}


async def test_every_table_that_names_a_person_is_exported_or_excluded_with_a_reason(
    app_connection: asyncpg.Connection,
) -> None:
    uncovered = await _uncovered(app_connection)

    assert uncovered == {}, f"add an export section (or an exclusion) for {uncovered}"
    assert all(reason.strip() for reason in EXCLUDED.values())
    assert not covered_tables() & EXCLUDED.keys()


async def test_the_registry_names_only_tables_that_exist(
    app_connection: asyncpg.Connection,
) -> None:
    existing = {
        r[0]
        for r in await app_connection.fetch(
            "SELECT relname FROM pg_class WHERE relnamespace = 'atlas'::regnamespace "
            "AND relkind IN ('r', 'p')"
        )
    }

    assert covered_tables() | EXCLUDED.keys() <= existing


async def test_a_new_table_naming_a_person_fails_the_check_until_it_has_a_section(
    owner_connection: asyncpg.Connection,
) -> None:
    probe = owner_connection.transaction()
    await probe.start()
    try:
        await owner_connection.execute(
            "CREATE TABLE atlas.audit_probe (tenant_id uuid, actor_user_id uuid)"
        )
        uncovered = await _uncovered(owner_connection)
    finally:
        await probe.rollback()  # never leave the probe behind

    assert uncovered == {"audit_probe": ["actor_user_id"]}


async def test_every_section_reads_in_a_persons_scope(
    app_connection: asyncpg.Connection,
) -> None:
    me, counts = "00000000-0000-0000-0000-000000000001", {}
    async with app_connection.transaction():
        await app_connection.execute(
            "SELECT set_config('app.tenant_id', gen_random_uuid()::text, true), "
            "set_config('app.user_id', $1, true)",
            me,
        )
        for name, section in SECTIONS.items():
            # Constants of the test stand in for the bind parameters.
            query = section.query.replace(":me", f"'{me}'::uuid").replace(":email", "'x@y.z'")
            query = query.replace(":tenant", "current_setting('app.tenant_id')::uuid")
            counts[name] = len(await app_connection.fetch(query))

    assert counts == dict.fromkeys(SECTIONS, 0)  # every query is valid SQL for the app role
