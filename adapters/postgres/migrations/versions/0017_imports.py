"""Imports as jobs: the request and its state, and the uploaded file until a worker has read it.

Revision ID: 0017
Revises: 0016

An import is requested over HTTP and run by a worker (PgQueuer job ``graph.import``), which may
be on another machine: the upload therefore lives in the database, not on the API's disk, as
1 MiB ``bytea`` parts of a tenant table (large objects would sit outside row security). The
parts are deleted when the import ends, either way; the ``imports`` row stays as its record:
state, counts, the summary, the error code. Both tables cascade from the tenant (the purge).
"""

from alembic import op

from adapters.postgres.migrations.rls import tenant_table
from adapters.postgres.roles import SCHEMA

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

S = SCHEMA
STATES = "('queued', 'running', 'succeeded', 'failed')"


def upgrade() -> None:
    statements = [
        f"""CREATE TABLE {S}.imports (
            tenant_id uuid NOT NULL REFERENCES {S}.tenants (tenant_id) ON DELETE CASCADE,
            import_id uuid NOT NULL,
            requested_by uuid NOT NULL,
            role text NOT NULL,
            file_name text NOT NULL CHECK (length(file_name) <= 255),
            object_type text NOT NULL CHECK (length(object_type) <= 200),
            bytes bigint NOT NULL CHECK (bytes >= 0),
            sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
            state text NOT NULL CHECK (state IN {STATES}),
            attempts integer NOT NULL DEFAULT 0,
            code text,
            summary jsonb,
            requested_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            CONSTRAINT imports_pkey PRIMARY KEY (tenant_id, import_id))""",
        f"""CREATE TABLE {S}.import_parts (
            tenant_id uuid NOT NULL,
            import_id uuid NOT NULL,
            part integer NOT NULL CHECK (part >= 0),
            data bytea NOT NULL,
            CONSTRAINT import_parts_pkey PRIMARY KEY (tenant_id, import_id, part),
            CONSTRAINT import_parts_import FOREIGN KEY (tenant_id, import_id)
                REFERENCES {S}.imports (tenant_id, import_id) ON DELETE CASCADE)""",
        # Compressed already (gzip) or compressed by the parser's reading order anyway: storing
        # the parts out of line without another compression pass keeps the copy cheap.
        f"ALTER TABLE {S}.import_parts ALTER COLUMN data SET STORAGE EXTERNAL",
        *tenant_table("imports"),
        *tenant_table("import_parts"),
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP TABLE IF EXISTS {S}.import_parts")
    op.execute(f"DROP TABLE IF EXISTS {S}.imports")
