"""One cluster for every member: a merge repoints the records of the absorbed cluster that the
merging member cannot see.

Revision ID: 0011
Revises: 0010

When a member's sync merges two clusters, every record of the absorbed one must follow, the
private records of colleagues included (a colleague's mailbox's person record joined that
cluster through a shared record earlier). Row security hides those records from the member's
own UPDATE. ``graph_repoint()`` is the one narrow path that moves them: a SECURITY DEFINER
function owned by ``atlas_auth``, for the caller's tenant only, changing ``canonical_id`` and
nothing else, returning ids. ``atlas_auth`` may read three columns and update one, through
policies for that role alone.
"""

from alembic import op

from adapters.postgres.migrations.rls import CURRENT_TENANT
from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, SCHEMA

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

S = SCHEMA
FN = "graph_repoint(uuid, uuid)"
TENANT = f"tenant_id = {CURRENT_TENANT}"


def upgrade() -> None:
    for statement in (
        f"GRANT SELECT (tenant_id, entity_id, canonical_id), UPDATE (canonical_id) "
        f"ON {S}.graph_entities TO {AUTH_ROLE}",
        f"CREATE POLICY graph_entities_repoint_read ON {S}.graph_entities FOR SELECT "
        f"TO {AUTH_ROLE} USING ({TENANT})",
        f"CREATE POLICY graph_entities_repoint ON {S}.graph_entities FOR UPDATE "
        f"TO {AUTH_ROLE} USING ({TENANT}) WITH CHECK ({TENANT})",
        f"""
        CREATE FUNCTION {S}.graph_repoint(p_absorbed uuid, p_survivor uuid)
        RETURNS SETOF uuid LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = '' AS $$
            UPDATE {S}.graph_entities SET canonical_id = p_survivor
            WHERE {TENANT} AND canonical_id = p_absorbed
            RETURNING entity_id
        $$""",
        f"REVOKE ALL ON FUNCTION {S}.{FN} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {S}.{FN} TO {APP_ROLE}",
        f"ALTER FUNCTION {S}.{FN} OWNER TO {AUTH_ROLE}",  # last: see 0006
    ):
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {S}.{FN}")
    op.execute(f"DROP POLICY IF EXISTS graph_entities_repoint ON {S}.graph_entities")
    op.execute(f"DROP POLICY IF EXISTS graph_entities_repoint_read ON {S}.graph_entities")
    op.execute(
        f"REVOKE SELECT (tenant_id, entity_id, canonical_id), UPDATE (canonical_id) "
        f"ON {S}.graph_entities FROM {AUTH_ROLE}"
    )
