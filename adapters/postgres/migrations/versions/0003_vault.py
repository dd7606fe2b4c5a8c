"""Vault: key versions, sealed API keys and OAuth tokens, and the re-encryption census.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from adapters.postgres.migrations.rls import tenant_table
from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, SCHEMA

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

S = SCHEMA

# Every sealed row references its key version *while that version is usable*: retiring a
# version that any row still uses violates the foreign key, and so does writing a row under a
# retired one. The database, not a count taken a moment earlier, has the last word.
_SEALED_BY = (
    "key_version integer NOT NULL, key_usable boolean NOT NULL DEFAULT true CHECK (key_usable)"
)


def _sealed_by_fk(table: str) -> str:
    return (
        f"CONSTRAINT {table}_key_version_fkey FOREIGN KEY (key_version, key_usable) "
        f"REFERENCES {S}.vault_key_versions (version, usable)"
    )


def upgrade() -> None:
    for statement in _key_versions() + _api_keys() + _oauth_tokens() + _census():
        op.execute(statement)


def _key_versions() -> list[str]:
    return [
        # Global, not tenant data: a version's KDF parameters, never its key.
        f"""
        CREATE TABLE {S}.vault_key_versions (
            version integer PRIMARY KEY CHECK (version > 0),
            kdf text NOT NULL CHECK (kdf = 'pbkdf2'),
            hash text NOT NULL CHECK (hash = 'sha256'),
            iterations integer NOT NULL CHECK (iterations >= 65536),
            salt bytea NOT NULL CHECK (octet_length(salt) >= 16),
            key_check bytea NOT NULL CHECK (octet_length(key_check) = 32),
            state text NOT NULL CHECK (state IN ('active', 'decrypt_only', 'retired')),
            encryption_count bigint NOT NULL DEFAULT 0 CHECK (encryption_count >= 0),
            created_at timestamptz NOT NULL,
            demoted_at timestamptz,
            retired_at timestamptz,
            usable boolean GENERATED ALWAYS AS (state <> 'retired') STORED,
            CONSTRAINT vault_key_versions_usable_key UNIQUE (version, usable)
        )""",
        f"CREATE UNIQUE INDEX vault_key_versions_one_active ON {S}.vault_key_versions ((true)) "
        "WHERE state = 'active'",
        # The app may add versions and move their state and count, never rewrite a salt or
        # iteration count, and never delete a version (its parameters are the audit trail).
        f"REVOKE UPDATE, DELETE ON {S}.vault_key_versions FROM {APP_ROLE}",
        f"GRANT UPDATE (state, encryption_count, demoted_at, retired_at) "
        f"ON {S}.vault_key_versions TO {APP_ROLE}",
    ]


def _api_keys() -> list[str]:
    return [
        f"""
        CREATE TABLE {S}.api_keys (
            tenant_id uuid NOT NULL REFERENCES {S}.tenants (tenant_id) ON DELETE CASCADE,
            key_id uuid NOT NULL,
            name text NOT NULL CHECK (name ~ '^[a-z0-9][a-z0-9_-]{{0,62}}$'),
            purpose text NOT NULL CHECK (length(purpose) BETWEEN 1 AND 200),
            hint text NOT NULL CHECK (length(hint) <= 8),
            sealed bytea NOT NULL,
            {_SEALED_BY},
            created_by uuid,
            created_at timestamptz NOT NULL,
            CONSTRAINT api_keys_pkey PRIMARY KEY (tenant_id, key_id),
            CONSTRAINT api_keys_name_key UNIQUE (tenant_id, name),
            CONSTRAINT api_keys_created_by_fkey FOREIGN KEY (tenant_id, created_by)
                REFERENCES {S}.memberships (tenant_id, user_id) ON DELETE SET NULL (created_by),
            {_sealed_by_fk("api_keys")}
        )""",
        f"CREATE INDEX api_keys_key_version ON {S}.api_keys (tenant_id, key_version, key_id)",
        *tenant_table("api_keys"),
    ]


def _oauth_tokens() -> list[str]:
    return [
        # connection_id gets its foreign key when the connections table arrives.
        f"""
        CREATE TABLE {S}.oauth_tokens (
            tenant_id uuid NOT NULL,
            user_id uuid NOT NULL,
            connection_id uuid NOT NULL,
            access_token bytea NOT NULL,
            refresh_token bytea,
            expires_at timestamptz,
            {_SEALED_BY},
            updated_at timestamptz NOT NULL,
            CONSTRAINT oauth_tokens_pkey PRIMARY KEY (tenant_id, user_id, connection_id),
            CONSTRAINT oauth_tokens_membership_fkey FOREIGN KEY (tenant_id, user_id)
                REFERENCES {S}.memberships (tenant_id, user_id) ON DELETE CASCADE,
            {_sealed_by_fk("oauth_tokens")}
        )""",
        f"CREATE INDEX oauth_tokens_key_version ON {S}.oauth_tokens "
        "(tenant_id, user_id, key_version, connection_id)",
        *tenant_table("oauth_tokens", user_column="user_id"),
    ]


def _census() -> list[str]:
    fn = "vault_scopes_using(integer)"
    return [
        # The re-encryption job runs as the app role, which sees nothing without a scope. This
        # tells it which scopes hold values under a version: ids and counts, never a value.
        # atlas_auth may read only the id and version columns, through policies of its own.
        f"GRANT SELECT (tenant_id, key_version) ON {S}.api_keys TO {AUTH_ROLE}",
        f"GRANT SELECT (tenant_id, user_id, key_version) ON {S}.oauth_tokens TO {AUTH_ROLE}",
        *(
            f"CREATE POLICY {table}_census ON {S}.{table} FOR SELECT TO {AUTH_ROLE} USING (true)"
            for table in ("api_keys", "oauth_tokens")
        ),
        f"""
        CREATE FUNCTION {S}.vault_scopes_using(p_version integer)
        RETURNS TABLE (kind text, tenant_id uuid, user_id uuid, sealed_values bigint)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$
            SELECT 'api_keys', k.tenant_id, NULL::uuid, count(*)
            FROM {S}.api_keys k WHERE k.key_version = p_version GROUP BY k.tenant_id
            UNION ALL
            SELECT 'oauth_tokens', o.tenant_id, o.user_id, count(*)
            FROM {S}.oauth_tokens o WHERE o.key_version = p_version
            GROUP BY o.tenant_id, o.user_id
            ORDER BY 1, 2, 3
        $$""",
        f"REVOKE ALL ON FUNCTION {S}.{fn} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {S}.{fn} TO {APP_ROLE}",
        # Last: the grants move with ownership, and the owner (NOINHERIT) cannot change
        # a function's privileges once atlas_auth owns it.
        f"ALTER FUNCTION {S}.{fn} OWNER TO {AUTH_ROLE}",
    ]


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {S}.vault_scopes_using(integer)")
    for table in ("oauth_tokens", "api_keys", "vault_key_versions"):
        op.execute(f"DROP TABLE IF EXISTS {S}.{table}")
