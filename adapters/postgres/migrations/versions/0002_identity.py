"""Identity sessions: refresh families and tokens, invitations, security events, rate limits.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from adapters.postgres.migrations.rls import tenant_table
from adapters.postgres.roles import SCHEMA

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

S = SCHEMA
_REASONS = (
    "'logout', 'logout_all', 'password_changed', 'reuse_detected', 'membership_ended', "
    "'switched_tenant'"
)


def upgrade() -> None:
    for statement in _sessions() + _tenant_records() + _rate_limits():
        op.execute(statement)


def _sessions() -> list[str]:
    return [
        # One sign-in in one tenant. Private to its user; removing the membership removes it
        # (and its tokens), so a removed member's next refresh fails.
        f"""
        CREATE TABLE {S}.refresh_families (
            tenant_id uuid NOT NULL,
            family_id uuid NOT NULL,
            user_id uuid NOT NULL,
            created_at timestamptz NOT NULL,
            last_used_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            revoked_at timestamptz,
            revoked_reason text CHECK (revoked_reason IN ({_REASONS})),
            CONSTRAINT refresh_families_pkey PRIMARY KEY (tenant_id, family_id),
            CONSTRAINT refresh_families_membership_fkey FOREIGN KEY (tenant_id, user_id)
                REFERENCES {S}.memberships (tenant_id, user_id) ON DELETE CASCADE
        )""",
        f"CREATE INDEX refresh_families_open ON {S}.refresh_families (tenant_id, user_id) "
        "WHERE revoked_at IS NULL",
        # Only the SHA-256 of a token is stored: a dump of this table signs nobody in.
        f"""
        CREATE TABLE {S}.refresh_tokens (
            tenant_id uuid NOT NULL,
            token_digest bytea NOT NULL CHECK (length(token_digest) = 32),
            user_id uuid NOT NULL,
            family_id uuid NOT NULL,
            parent_digest bytea,
            issued_at timestamptz NOT NULL,
            used_at timestamptz,
            state text NOT NULL DEFAULT 'unused'
                CHECK (state IN ('unused', 'rotated', 'superseded')),
            CONSTRAINT refresh_tokens_pkey PRIMARY KEY (tenant_id, token_digest),
            CONSTRAINT refresh_tokens_family_fkey FOREIGN KEY (tenant_id, family_id)
                REFERENCES {S}.refresh_families (tenant_id, family_id) ON DELETE CASCADE
        )""",
        f"CREATE INDEX refresh_tokens_family ON {S}.refresh_tokens (tenant_id, family_id)",
        f"CREATE INDEX refresh_tokens_parent ON {S}.refresh_tokens (tenant_id, parent_digest)",
        *tenant_table("refresh_families", user_column="user_id"),
        *tenant_table("refresh_tokens", user_column="user_id"),
    ]


def _tenant_records() -> list[str]:
    return [
        f"""
        CREATE TABLE {S}.invitations (
            tenant_id uuid NOT NULL REFERENCES {S}.tenants (tenant_id) ON DELETE CASCADE,
            invitation_id uuid NOT NULL,
            email text NOT NULL CHECK (email = lower(btrim(email))),
            role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
            token_digest bytea NOT NULL CHECK (length(token_digest) = 32),
            invited_by uuid NOT NULL,
            created_at timestamptz NOT NULL,
            expires_at timestamptz NOT NULL,
            accepted_at timestamptz,
            revoked_at timestamptz,
            CONSTRAINT invitations_pkey PRIMARY KEY (tenant_id, invitation_id)
        )""",
        f"CREATE UNIQUE INDEX invitations_token_key ON {S}.invitations (tenant_id, token_digest)",
        f"""
        CREATE TABLE {S}.security_events (
            tenant_id uuid NOT NULL REFERENCES {S}.tenants (tenant_id) ON DELETE CASCADE,
            event_id uuid NOT NULL,
            user_id uuid NOT NULL,
            kind text NOT NULL CHECK (kind IN ('refresh_token_reused', 'password_changed')),
            family_id uuid,
            client_address text CHECK (length(client_address) <= 100),
            user_agent text CHECK (length(user_agent) <= 512),
            occurred_at timestamptz NOT NULL,
            CONSTRAINT security_events_pkey PRIMARY KEY (tenant_id, event_id)
        )""",
        *tenant_table("invitations"),
        *tenant_table("security_events"),
    ]


def _rate_limits() -> list[str]:
    # Global on purpose (limits hold before anyone is signed in, across every API process),
    # so not a tenant table. Keys are HMACs of rule and subject: no email address or IP
    # address is ever stored here.
    return [
        f"""
        CREATE TABLE {S}.rate_limits (
            bucket bytea PRIMARY KEY CHECK (length(bucket) = 32),
            window_start timestamptz NOT NULL,
            hits integer NOT NULL CHECK (hits > 0)
        )""",
        f"CREATE INDEX rate_limits_window_start ON {S}.rate_limits (window_start)",
    ]


def downgrade() -> None:
    for table in (
        "rate_limits",
        "security_events",
        "invitations",
        "refresh_tokens",
        "refresh_families",
    ):
        op.execute(f"DROP TABLE IF EXISTS {S}.{table}")
