"""GDPR erasure: the suppression list of erased ids, re-applied after a restore (issue 13).

Revision ID: 0014
Revises: 0013

``erasures`` holds one row per erased person: their user id, the SHA-256 of their normalised
email address (never the address), the tenants they belonged to and the ids of the person
records pseudonymised in them. Nothing else about them. A restore of a backup taken before
an erasure brings the person back; ``apply_erasures()`` removes them again. The address hash
is what finds the person in restored rows that carry only an address (an invitation, a
mailbox's correspondent): it must be computable inside the database after a restore, with no
key at hand, so it is a plain hash; it tells only that an address someone already knows was
erased.

Four functions, owned by ``atlas_auth`` like every narrow definer here; that role gets exactly
the reach they need, through policies for that role alone:

- ``erase_current_user(at)``: the ``DELETE /me`` transaction. The app role may run it; it
  erases the context's user (``app.user_id``), never one named by an argument.
- ``apply_erasures()``: re-applies every row of the list; idempotent. The owner role runs it
  after a restore (``atlas restore``); the app role cannot.
- ``merge_erasures(list)``: adds the live deployment's newer list to a restored copy's
  (``atlas restore`` runs it as the owner role before ``apply_erasures()``).
- ``erasure_apply(...)``: the body both share; callable only from them.
"""

from alembic import op

from adapters.postgres.migrations.erasure_0014 import (
    APPLY_ERASURES,
    ERASE_CURRENT_USER,
    ERASURE_APPLY,
    MERGE_ERASURES,
)
from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, OWNER_ROLE, SCHEMA

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

S = SCHEMA
APPLY = "erasure_apply(uuid, bytea, uuid[], uuid[])"
APPLY_ALL = "apply_erasures()"
MERGE = "merge_erasures(jsonb)"
ERASE = "erase_current_user(timestamptz)"

# What the erasure touches, per table: the privileges atlas_auth gets, and the commands its
# own policies open (every row: the functions name the person in each statement).
_REACH: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("graph_entities", "SELECT, UPDATE, DELETE", ("SELECT", "UPDATE", "DELETE")),
    ("graph_entity_keys", "SELECT, DELETE", ("SELECT", "DELETE")),
    ("graph_activities", "SELECT, DELETE", ("SELECT", "DELETE")),
    ("graph_merges", "SELECT, UPDATE (key_value), DELETE", ("SELECT", "UPDATE", "DELETE")),
    ("graph_sequences", "SELECT (tenant_id, object_id), DELETE", ("SELECT", "DELETE")),
    ("graph_versions", "SELECT, UPDATE (generation)", ("SELECT", "UPDATE")),
    ("security_events", "SELECT (tenant_id, user_id), DELETE", ("SELECT", "DELETE")),
    ("original_retrievals", "SELECT (tenant_id, user_id), DELETE", ("SELECT", "DELETE")),
    ("tenant_events", "UPDATE (data)", ("UPDATE",)),
    ("invitations", "SELECT, UPDATE (invited_by), DELETE", ("SELECT", "UPDATE", "DELETE")),
    ("api_keys", "SELECT (created_by), UPDATE (created_by)", ("UPDATE",)),
    (
        "audit_events",
        "SELECT, UPDATE (actor_id, actor_salt, target_id, target_salt, address, address_salt)",
        ("SELECT", "UPDATE"),
    ),
    ("memberships", "DELETE", ("DELETE",)),
    ("users", "DELETE", ("DELETE",)),
)


def _reach() -> list[str]:
    statements = []
    for table, privileges, commands in _REACH:
        statements.append(f"GRANT {privileges} ON {S}.{table} TO {AUTH_ROLE}")
        for cmd in commands:
            check = " WITH CHECK (true)" if cmd == "UPDATE" else ""
            statements.append(
                f"CREATE POLICY {table}_erasure_{cmd.lower()} ON {S}.{table} FOR {cmd} "
                f"TO {AUTH_ROLE} USING (true){check}"
            )
    return [
        *statements,
        # Lock, never change: FOR UPDATE on a tenant needs an UPDATE policy, and one whose
        # check fails every new row lets atlas_auth lock tenants without being able to edit one.
        f"GRANT UPDATE (tenant_id) ON {S}.tenants TO {AUTH_ROLE}",
        f"CREATE POLICY tenants_erasure_lock ON {S}.tenants FOR UPDATE TO {AUTH_ROLE} "
        f"USING (true) WITH CHECK (false)",
        f"GRANT USAGE ON SCHEMA atlas_jobs TO {AUTH_ROLE}",
        f"GRANT SELECT, DELETE ON atlas_jobs.pgqueuer TO {AUTH_ROLE}",
        f"GRANT SELECT, UPDATE (traceback) ON atlas_jobs.pgqueuer_log TO {AUTH_ROLE}",
    ]


def upgrade() -> None:
    for statement in (
        f"""
        CREATE TABLE {S}.erasures (
            user_id uuid PRIMARY KEY,
            email_sha256 bytea NOT NULL CHECK (octet_length(email_sha256) = 32),
            tenant_ids uuid[] NOT NULL DEFAULT '{{}}',
            entity_ids uuid[] NOT NULL DEFAULT '{{}}',
            erased_at timestamptz NOT NULL)""",
        f"CREATE INDEX erasures_email ON {S}.erasures (email_sha256)",
        # A global table (a person is erased everywhere), reachable only through the functions:
        # the app role, which gets every new table's privileges by default, loses them here.
        f"REVOKE ALL ON {S}.erasures FROM {APP_ROLE}",
        f"ALTER TABLE {S}.erasures ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.erasures FORCE ROW LEVEL SECURITY",
        f"GRANT SELECT, INSERT, UPDATE ON {S}.erasures TO {AUTH_ROLE}",
        *(
            f"CREATE POLICY erasures_{cmd.lower()} ON {S}.erasures FOR {cmd} TO {AUTH_ROLE} "
            + ("WITH CHECK (true)" if cmd == "INSERT" else "USING (true)")
            + (" WITH CHECK (true)" if cmd == "UPDATE" else "")
            for cmd in ("SELECT", "INSERT", "UPDATE")
        ),
        *_reach(),
        ERASURE_APPLY,
        APPLY_ERASURES,
        MERGE_ERASURES,
        ERASE_CURRENT_USER,
        *(
            f"REVOKE ALL ON FUNCTION {S}.{fn} FROM PUBLIC"
            for fn in (APPLY, APPLY_ALL, MERGE, ERASE)
        ),
        f"GRANT EXECUTE ON FUNCTION {S}.{ERASE} TO {APP_ROLE}",
        # Last: see 0006 (the owner hands each function to atlas_auth once it is complete).
        *(
            f"ALTER FUNCTION {S}.{fn} OWNER TO {AUTH_ROLE}"
            for fn in (APPLY, APPLY_ALL, MERGE, ERASE)
        ),
        # The owner's own right to run a function goes with its ownership: granted back by
        # the new owner (the migrating role may act as atlas_auth, never inherit from it).
        f"SET LOCAL ROLE {AUTH_ROLE}",
        f"GRANT EXECUTE ON FUNCTION {S}.{APPLY_ALL} TO {OWNER_ROLE}",
        f"GRANT EXECUTE ON FUNCTION {S}.{MERGE} TO {OWNER_ROLE}",
        "RESET ROLE",
    ):
        op.execute(statement)


def downgrade() -> None:
    for fn in (ERASE, MERGE, APPLY_ALL, APPLY):
        op.execute(f"DROP FUNCTION IF EXISTS {S}.{fn}")
    op.execute(f"REVOKE ALL ON atlas_jobs.pgqueuer, atlas_jobs.pgqueuer_log FROM {AUTH_ROLE}")
    op.execute(f"REVOKE USAGE ON SCHEMA atlas_jobs FROM {AUTH_ROLE}")
    op.execute(f"DROP POLICY IF EXISTS tenants_erasure_lock ON {S}.tenants")
    op.execute(f"REVOKE UPDATE (tenant_id) ON {S}.tenants FROM {AUTH_ROLE}")
    for table, privileges, commands in _REACH:
        for cmd in commands:
            op.execute(f"DROP POLICY IF EXISTS {table}_erasure_{cmd.lower()} ON {S}.{table}")
        op.execute(f"REVOKE {privileges} ON {S}.{table} FROM {AUTH_ROLE}")
    # Revoking the table-level grant took 0011's column grants along: give those back.
    op.execute(
        f"GRANT SELECT (tenant_id, entity_id, canonical_id), UPDATE (canonical_id) "
        f"ON {S}.graph_entities TO {AUTH_ROLE}"
    )
    op.execute(f"DROP TABLE IF EXISTS {S}.erasures")
