"""Integrations: connections, pending OAuth authorizations, and the tokens' connection key.

Revision ID: 0005
Revises: 0004

Both tables hold one user's grant: private to that user within the tenant (row security on
``user_id`` too), removed with the membership. ``oauth_states`` stores hashes of the state,
the start ticket and the browser binding, and values sealed under those secrets; nothing in it
starts or finishes an authorization without the secrets themselves.
"""

from alembic import op

from adapters.postgres.migrations.rls import tenant_table
from adapters.postgres.roles import SCHEMA

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

S = SCHEMA
_MEMBER = (
    f"FOREIGN KEY (tenant_id, user_id) REFERENCES {S}.memberships (tenant_id, user_id) "
    "ON DELETE CASCADE"
)
_HASH = "bytea NOT NULL CHECK (octet_length({0}) = 32)"


def upgrade() -> None:
    for statement in _connections() + _states() + _token_key():
        op.execute(statement)


def _connections() -> list[str]:
    return [
        f"""
        CREATE TABLE {S}.connections (
            tenant_id uuid NOT NULL,
            user_id uuid NOT NULL,
            connection_id uuid NOT NULL,
            provider text NOT NULL CHECK (provider ~ '^[a-z][a-z_]{{0,39}}$'),
            status text NOT NULL CHECK (status IN ('active', 'needs_reauth', 'revoked', 'error')),
            subdomain text CHECK (subdomain ~ '^[a-z0-9][a-z0-9-]{{0,62}}$'),
            scopes_requested text[] NOT NULL,
            scopes_granted text[] NOT NULL,
            external_account text CHECK (length(external_account) <= 500),
            instance_url text CHECK (length(instance_url) <= 500),
            needs_review boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            last_refresh_at timestamptz,
            last_error text CHECK (length(last_error) <= 200),
            failure_count integer NOT NULL DEFAULT 0 CHECK (failure_count >= 0),
            retry_not_before timestamptz,
            reauth_notified_at timestamptz,
            revocation text CHECK (length(revocation) <= 200),
            CONSTRAINT connections_pkey PRIMARY KEY (tenant_id, connection_id),
            CONSTRAINT connections_owner_key UNIQUE (tenant_id, user_id, connection_id),
            CONSTRAINT connections_membership_fkey {_MEMBER}
        )""",
        f"CREATE INDEX connections_listing ON {S}.connections (tenant_id, user_id, created_at)",
        *tenant_table("connections", user_column="user_id"),
    ]


def _states() -> list[str]:
    return [
        f"""
        CREATE TABLE {S}.oauth_states (
            tenant_id uuid NOT NULL,
            user_id uuid NOT NULL,
            state_id uuid NOT NULL,
            connection_id uuid NOT NULL,
            reconnect boolean NOT NULL,
            provider text NOT NULL,
            platform text NOT NULL,
            subdomain text,
            scopes text[] NOT NULL,
            redirect_uri text NOT NULL,
            state_hash {_HASH.format("state_hash")},
            ticket_hash {_HASH.format("ticket_hash")},
            sealed_authorization bytea NOT NULL,
            sealed_verifier bytea,
            binding_hash bytea CHECK (octet_length(binding_hash) = 32),
            created_at timestamptz NOT NULL,
            ticket_expires_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            ticket_used_at timestamptz,
            consumed_at timestamptz,
            CONSTRAINT oauth_states_pkey PRIMARY KEY (tenant_id, state_id),
            CONSTRAINT oauth_states_state_key UNIQUE (tenant_id, state_hash),
            CONSTRAINT oauth_states_ticket_key UNIQUE (tenant_id, ticket_hash),
            CONSTRAINT oauth_states_membership_fkey {_MEMBER}
        )""",
        f"CREATE INDEX oauth_states_expiry ON {S}.oauth_states (tenant_id, user_id, expires_at)",
        *tenant_table("oauth_states", user_column="user_id"),
    ]


def _token_key() -> list[str]:
    # NOT VALID: rows written before connections existed cannot be checked here (row security
    # hides them from the migration too); every row written from now on is.
    return [
        f"""
        ALTER TABLE {S}.oauth_tokens ADD CONSTRAINT oauth_tokens_connection_fkey
            FOREIGN KEY (tenant_id, user_id, connection_id)
            REFERENCES {S}.connections (tenant_id, user_id, connection_id) ON DELETE CASCADE
            NOT VALID"""
    ]


def downgrade() -> None:
    op.execute(
        f"ALTER TABLE {S}.oauth_tokens DROP CONSTRAINT IF EXISTS oauth_tokens_connection_fkey"
    )
    for table in ("oauth_states", "connections"):
        op.execute(f"DROP TABLE IF EXISTS {S}.{table}")
