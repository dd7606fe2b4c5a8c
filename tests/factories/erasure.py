"""Erasure fixtures: a person as a shared source names them, and a search of a database dump
for a person's traces (in text, and hex-encoded as ``pg_dump`` writes bytea)."""

from __future__ import annotations

import re
from uuid import UUID, uuid4

import asyncpg

from adapters.postgres.throwaway import ThrowawayDatabase

SUPPRESSION_TABLE = "atlas.erasures"
_COPY = re.compile(r"^COPY (\S+) ")


async def as_superuser(database: ThrowawayDatabase, name: str) -> asyncpg.Connection:
    return await asyncpg.connect(**database.superuser.with_database(name).asyncpg_kwargs())


async def seed_person_records(
    conn: asyncpg.Connection, tenant_id: UUID, email: str, *, private_to: UUID | None = None
) -> tuple[UUID, UUID]:
    """A person record naming ``email`` (a CRM owner, or a colleague's correspondent when
    ``private_to``), with its email key, and an activity they are the actor of: the ids."""
    entity_id, activity_id = uuid4(), uuid4()
    scope = f"crm-{uuid4().hex[:8]}"
    await conn.execute(
        """INSERT INTO atlas.graph_entities (tenant_id, entity_id, provider, scope, source_id,
               type, name, attributes, url, canonical_id, private_to)
           VALUES ($1, $2, 'hubspot', $3, 'email:' || $4::text, 'person', 'Erin Example',
               jsonb_build_array(jsonb_build_object('name', 'email', 'value', $4::text)),
               'https://crm.example/people?q=' || $4::text, $2, $5)""",
        tenant_id, entity_id, scope, email, private_to,
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO atlas.graph_entity_keys VALUES ($1, 'email', $2, $3, $4)",
        tenant_id, email, entity_id, private_to,
    )  # fmt: skip
    await conn.execute(
        """INSERT INTO atlas.graph_activities (tenant_id, activity_id, provider, scope,
               source_id, type, occurred_at, source_seq, actor_id, attributes, objects,
               private_to)
           VALUES ($1, $2, 'hubspot', $3, 'call-1', 'Call logged', now(), 0, $4::uuid, '{}',
               jsonb_build_array(jsonb_build_object('entity_id', $4::uuid::text, 'qualifier', '')),
               $5)""",
        tenant_id, activity_id, scope, entity_id, private_to,
    )  # fmt: skip
    return entity_id, activity_id


def traces(dump: str, *needles: str) -> dict[str, list[str]]:
    """Each table whose dumped rows hold a needle (as text or hex), with those rows."""
    forms = [n for needle in needles for n in (needle, needle.encode().hex())]
    found: dict[str, list[str]] = {}
    table = "(schema)"
    for line in dump.splitlines():
        if match := _COPY.match(line):
            table = match.group(1)
        elif line == "\\.":
            table = "(schema)"
        elif any(form in line for form in forms):
            found.setdefault(table, []).append(line)
    return found
