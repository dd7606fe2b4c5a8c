"""The context graph: entities, keys, relationships, activities, maintained sequences, merges.

Revision ID: 0004
Revises: 0003

No column holds a body, a subject or message text: attributes are metadata, and the original
is reached through the source reference. ``graph_activities`` carries no foreign keys on
purpose: each one costs a trigger per row (measured: +1.3 s per 262,000 rows), and the ingest
use case writes an activity's entities in the same transaction, refusing unknown ones.
"""

from alembic import op

from adapters.postgres.migrations.rls import tenant_table
from adapters.postgres.roles import SCHEMA

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S = SCHEMA
TENANT = f"tenant_id uuid NOT NULL REFERENCES {S}.tenants (tenant_id) ON DELETE CASCADE"
TABLES = (
    "graph_versions",
    "graph_types",
    "graph_activity_types",
    "graph_entities",
    "graph_entity_keys",
    "graph_relationships",
    "graph_activities",
    "graph_sequences",
    "graph_merges",
)


def _entity_fk(column: str) -> str:
    return f"FOREIGN KEY (tenant_id, {column}) REFERENCES {S}.graph_entities (tenant_id, entity_id)"


def upgrade() -> None:
    for statement in _catalog() + _entities() + _activities():
        op.execute(statement)
    for table in TABLES:
        for statement in tenant_table(table):
            op.execute(statement)


def _catalog() -> list[str]:
    return [
        # One row per tenant: the ingest lock and the revision maintained read models follow.
        f"""CREATE TABLE {S}.graph_versions (
            {TENANT} PRIMARY KEY,
            revision bigint NOT NULL DEFAULT 0,
            generation bigint NOT NULL DEFAULT 0)""",
        f"""CREATE TABLE {S}.graph_types (
            {TENANT},
            kind text NOT NULL CHECK (kind IN ('object', 'activity')),
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            attributes jsonb NOT NULL DEFAULT '[]',
            PRIMARY KEY (tenant_id, kind, name))""",
        # Small integer codes for activity types, so sequences pack into fixed-width records.
        f"""CREATE TABLE {S}.graph_activity_types (
            {TENANT},
            code integer NOT NULL CHECK (code >= 0),
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            PRIMARY KEY (tenant_id, code))""",
        f"CREATE UNIQUE INDEX graph_activity_types_name ON {S}.graph_activity_types "
        "(tenant_id, name)",
    ]


def _entities() -> list[str]:
    return [
        f"""CREATE TABLE {S}.graph_entities (
            {TENANT},
            entity_id uuid NOT NULL,
            provider text NOT NULL,
            scope text NOT NULL,
            source_id text NOT NULL,
            type text NOT NULL CHECK (length(type) BETWEEN 1 AND 200),
            name text,
            attributes jsonb NOT NULL DEFAULT '[]',
            url text,
            canonical_id uuid NOT NULL,
            PRIMARY KEY (tenant_id, entity_id),
            {_entity_fk("canonical_id")})""",
        f"CREATE INDEX graph_entities_canonical ON {S}.graph_entities (tenant_id, canonical_id)",
        f"CREATE INDEX graph_entities_listing ON {S}.graph_entities (tenant_id, type, entity_id) "
        "WHERE canonical_id = entity_id",
        f"""CREATE TABLE {S}.graph_entity_keys (
            tenant_id uuid NOT NULL,
            kind text NOT NULL CHECK (kind IN ('email', 'user', 'account', 'domain')),
            value text NOT NULL,
            entity_id uuid NOT NULL,
            PRIMARY KEY (tenant_id, kind, value, entity_id),
            {_entity_fk("entity_id")} ON DELETE CASCADE)""",
        f"CREATE INDEX graph_entity_keys_entity ON {S}.graph_entity_keys (tenant_id, entity_id)",
        f"""CREATE TABLE {S}.graph_relationships (
            tenant_id uuid NOT NULL,
            source_id uuid NOT NULL,
            target_id uuid NOT NULL,
            qualifier text NOT NULL,
            PRIMARY KEY (tenant_id, source_id, target_id, qualifier),
            {_entity_fk("source_id")} ON DELETE CASCADE,
            {_entity_fk("target_id")} ON DELETE CASCADE)""",
        f"CREATE INDEX graph_relationships_target ON {S}.graph_relationships "
        "(tenant_id, target_id)",
        f"""CREATE TABLE {S}.graph_merges (
            tenant_id uuid NOT NULL,
            merge_id uuid NOT NULL,
            survivor_id uuid NOT NULL,
            absorbed_id uuid NOT NULL,
            members uuid[] NOT NULL,
            key_kind text NOT NULL,
            key_value text NOT NULL,
            merged_at timestamptz NOT NULL,
            undone_at timestamptz,
            PRIMARY KEY (tenant_id, merge_id),
            {_entity_fk("survivor_id")},
            {_entity_fk("absorbed_id")})""",
    ]


def _activities() -> list[str]:
    return [
        f"""CREATE TABLE {S}.graph_activities (
            tenant_id uuid NOT NULL,
            activity_id uuid NOT NULL,
            provider text NOT NULL,
            scope text NOT NULL,
            source_id text NOT NULL,
            type text NOT NULL CHECK (length(type) BETWEEN 1 AND 200),
            occurred_at timestamptz NOT NULL,
            source_seq bigint NOT NULL,
            actor_id uuid,
            attributes jsonb NOT NULL,
            objects jsonb NOT NULL,
            url text,
            PRIMARY KEY (tenant_id, activity_id))""",
        f"CREATE INDEX graph_activities_time ON {S}.graph_activities "
        "(tenant_id, occurred_at, activity_id)",
        f"CREATE INDEX graph_activities_actor ON {S}.graph_activities "
        "(tenant_id, actor_id, occurred_at, activity_id) WHERE actor_id IS NOT NULL",
        # Each canonical object's occurrences in total order, packed: the maintained log that
        # process maps are served from. An empty ``entries`` is an object that left every map.
        f"""CREATE TABLE {S}.graph_sequences (
            tenant_id uuid NOT NULL,
            object_id uuid NOT NULL,
            object_type text NOT NULL,
            revision bigint NOT NULL,
            entries bytea NOT NULL,
            PRIMARY KEY (tenant_id, object_id),
            {_entity_fk("object_id")})""",
        f"CREATE INDEX graph_sequences_changes ON {S}.graph_sequences "
        "(tenant_id, object_type, revision)",
    ]


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"DROP TABLE IF EXISTS {S}.{table}")
