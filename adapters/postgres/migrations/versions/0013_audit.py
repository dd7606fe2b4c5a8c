"""The audit trail: append-only, hash-chained per tenant (issue 13).

Revision ID: 0013
Revises: 0012

``audit_events`` holds one row per recorded action, written in the transaction of what it
records. Each row's ``hash`` is SHA-256(``prev_hash`` || canonical bytes of the row), computed
by the writer (``domain/compliance/audit.py`` defines the bytes; the database never hashes
``jsonb::text``). ``audit_heads`` holds each tenant's last ``seq`` and ``hash``: the writer
takes that row's lock to append, so a tenant's appends are serialised and its chain is one line.

Append-only, three ways:
- the app role has INSERT and SELECT on ``audit_events`` only (no UPDATE, DELETE, TRUNCATE),
  and cannot delete a head;
- the ``audit_events_append_only`` triggers refuse UPDATE, DELETE and TRUNCATE whatever the role,
  the owner included (SQLSTATE 42501). The owner may still ``ALTER TABLE ... DISABLE TRIGGER``:
  that is what the tamper tests do, and ``atlas audit verify`` then names the altered row;
- the one UPDATE the trigger lets through is an erasure's (GDPR Art. 17): with
  ``atlas.redacting_subject`` set to the erased user's id, a value equal to it (actor, target,
  and the address of what they did) may become empty and lose its salt, nothing else. The
  chain hashes each of those values through a salted seal (``domain/compliance/audit.py``), so
  it still verifies; ``erasure_apply`` (migration 0014) does exactly this;
- the one DELETE the trigger lets through is a tenant's own purge: the tenant row is already
  gone (the cascade from ``tenants`` runs after it) *and* the transaction set
  ``atlas.purging_tenant`` to that tenant's id (``set_config(..., true)``), so a cascade is meant,
  not an accident. Tenant deletion's final purge does exactly that, then deletes the tenant.

``audit_tenants()`` (definer, ids only) lets ``atlas audit verify`` find every tenant; it then
reads each chain in a transaction bound to that tenant, under the usual row security.
"""

from alembic import op

from adapters.postgres.migrations.rls import tenant_table
from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, OWNER_ROLE, SCHEMA

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

S = SCHEMA
OUTCOMES = "'success', 'failure', 'denied'"
_DEFINERS = ("audit_append_only()", "audit_tenants()")


def upgrade() -> None:
    for statement in (*_tables(), *_append_only(), *_census()):
        op.execute(statement)


def _tables() -> list[str]:
    return [
        f"""CREATE TABLE {S}.audit_heads (
            tenant_id uuid NOT NULL REFERENCES {S}.tenants (tenant_id) ON DELETE CASCADE,
            last_seq bigint NOT NULL CHECK (last_seq >= 0),
            last_hash bytea NOT NULL CHECK (octet_length(last_hash) = 32),
            CONSTRAINT audit_heads_pkey PRIMARY KEY (tenant_id))""",
        *tenant_table("audit_heads"),
        f"""CREATE TABLE {S}.audit_events (
            tenant_id uuid NOT NULL REFERENCES {S}.tenants (tenant_id) ON DELETE CASCADE,
            seq bigint NOT NULL CHECK (seq > 0),
            at timestamptz NOT NULL,
            actor_type text NOT NULL,
            actor_id text NOT NULL,
            actor_salt bytea,
            actor_seal bytea NOT NULL,
            action text NOT NULL,
            target_type text NOT NULL,
            target_id text NOT NULL,
            target_salt bytea,
            target_seal bytea NOT NULL,
            outcome text NOT NULL CHECK (outcome IN ({OUTCOMES})),
            request_id text NOT NULL,
            address text NOT NULL,
            address_salt bytea,
            address_seal bytea NOT NULL,
            details jsonb NOT NULL CHECK (jsonb_typeof(details) = 'object'),
            prev_hash bytea NOT NULL CHECK (octet_length(prev_hash) = 32),
            hash bytea NOT NULL CHECK (octet_length(hash) = 32),
            {_seal_checks()},
            CONSTRAINT audit_events_pkey PRIMARY KEY (tenant_id, seq))""",
        f"CREATE INDEX audit_events_at ON {S}.audit_events (tenant_id, at)",
        *tenant_table("audit_events"),
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {S}.audit_events FROM {APP_ROLE}",
        f"REVOKE DELETE, TRUNCATE ON {S}.audit_heads FROM {APP_ROLE}",
    ]


def _seal_checks() -> str:
    # A kept salt is 16 bytes; an erased value is empty and has none (docs/audit.md).
    return ",\n            ".join(
        f"CHECK (octet_length({f}_seal) = 32 AND (octet_length({f}_salt) = 16 "
        f"OR ({f}_salt IS NULL AND {value} = '')))"
        for f, value in (("actor", "actor_id"), ("target", "target_id"), ("address", "address"))
    )


# The one UPDATE allowed: erasing a person (``audit_redact``, called by the erasure) blanks the
# values that name them and drops their salts; every other column, seals included, stays.
_REDACTION = """
            IF TG_OP = 'UPDATE' AND TG_LEVEL = 'ROW'
               AND pg_catalog.current_setting('atlas.redacting_subject', true) <> ''
               AND (NEW.tenant_id, NEW.seq, NEW.at, NEW.actor_type, NEW.actor_seal, NEW.action,
                    NEW.target_type, NEW.target_seal, NEW.outcome, NEW.request_id,
                    NEW.address_seal, NEW.details, NEW.prev_hash, NEW.hash)
                   IS NOT DISTINCT FROM
                   (OLD.tenant_id, OLD.seq, OLD.at, OLD.actor_type, OLD.actor_seal, OLD.action,
                    OLD.target_type, OLD.target_seal, OLD.outcome, OLD.request_id,
                    OLD.address_seal, OLD.details, OLD.prev_hash, OLD.hash)
               AND ((NEW.actor_id, NEW.actor_salt)
                        IS NOT DISTINCT FROM (OLD.actor_id, OLD.actor_salt)
                    OR (OLD.actor_id = v_subject AND NEW.actor_id = '' AND NEW.actor_salt IS NULL))
               AND ((NEW.target_id, NEW.target_salt)
                        IS NOT DISTINCT FROM (OLD.target_id, OLD.target_salt)
                    OR (OLD.target_id = v_subject AND NEW.target_id = ''
                        AND NEW.target_salt IS NULL))
               AND ((NEW.address, NEW.address_salt)
                        IS NOT DISTINCT FROM (OLD.address, OLD.address_salt)
                    OR (OLD.actor_id = v_subject AND NEW.address = ''
                        AND NEW.address_salt IS NULL)) THEN
                RETURN NEW;
            END IF;"""


def _append_only() -> list[str]:
    return [
        # A definer so it can see whether the tenant row is gone (atlas_auth reads tenants).
        f"""
        CREATE FUNCTION {S}.audit_append_only() RETURNS trigger
        LANGUAGE plpgsql SECURITY DEFINER SET search_path = '' AS $$
        DECLARE
            v_subject text := pg_catalog.current_setting('atlas.redacting_subject', true);
        BEGIN{_REDACTION}
            IF TG_OP = 'DELETE' AND TG_LEVEL = 'ROW' THEN
                IF OLD.tenant_id::text
                       = pg_catalog.current_setting('atlas.purging_tenant', true)
                   AND NOT EXISTS (SELECT 1 FROM {S}.tenants t
                                   WHERE t.tenant_id = OLD.tenant_id) THEN
                    RETURN OLD;
                END IF;
            END IF;
            RAISE EXCEPTION 'audit_events is append-only (%)', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$""",
        f"""CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE
            ON {S}.audit_events FOR EACH ROW EXECUTE FUNCTION {S}.audit_append_only()""",
        f"""CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE
            ON {S}.audit_events FOR EACH STATEMENT EXECUTE FUNCTION {S}.audit_append_only()""",
    ]


def _census() -> list[str]:
    return [
        f"""
        CREATE FUNCTION {S}.audit_tenants() RETURNS TABLE (tenant_id uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
            SELECT t.tenant_id FROM {S}.tenants t ORDER BY t.tenant_id
        $$""",
        *(
            statement
            for fn in _DEFINERS
            for statement in (
                f"REVOKE ALL ON FUNCTION {S}.{fn} FROM PUBLIC",
                *(
                    [f"GRANT EXECUTE ON FUNCTION {S}.{fn} TO {APP_ROLE}, {OWNER_ROLE}"]
                    if fn == "audit_tenants()"
                    else []
                ),
                f"ALTER FUNCTION {S}.{fn} OWNER TO {AUTH_ROLE}",  # last: see 0006
            )
        ),
    ]


def downgrade() -> None:
    op.execute(f"DROP TABLE IF EXISTS {S}.audit_events")
    op.execute(f"DROP TABLE IF EXISTS {S}.audit_heads")
    for fn in _DEFINERS:
        op.execute(f"DROP FUNCTION IF EXISTS {S}.{fn}")
