"""SQLAlchemy Core descriptions of the identity session tables (DDL: migrations 0002, 0018)."""

from __future__ import annotations

from sqlalchemy import Column, Integer, LargeBinary, Table, Text, Uuid

from adapters.postgres.tables import metadata, when

refresh_families = Table(
    "refresh_families",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("family_id", Uuid, primary_key=True),
    Column("user_id", Uuid, nullable=False),
    when("created_at"),
    when("last_used_at"),
    when("expires_at"),
    when("revoked_at", nullable=True),
    Column("revoked_reason", Text),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("token_digest", LargeBinary, primary_key=True),
    Column("user_id", Uuid, nullable=False),
    Column("family_id", Uuid, nullable=False),
    Column("parent_digest", LargeBinary),
    when("issued_at"),
    when("used_at", nullable=True),
    Column("state", Text, nullable=False),
)

invitations = Table(
    "invitations",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("invitation_id", Uuid, primary_key=True),
    Column("email", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("token_digest", LargeBinary, nullable=False),
    Column("invited_by", Uuid, nullable=False),
    when("created_at"),
    when("expires_at"),
    when("accepted_at", nullable=True),
    when("revoked_at", nullable=True),
)

email_verifications = Table(
    "email_verifications",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("token_digest", LargeBinary, nullable=False),
    when("created_at"),
    when("expires_at"),
)

security_events = Table(
    "security_events",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("user_id", Uuid, nullable=False),
    Column("kind", Text, nullable=False),
    Column("family_id", Uuid),
    Column("client_address", Text),
    Column("user_agent", Text),
    when("occurred_at"),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("bucket", LargeBinary, primary_key=True),
    when("window_start"),
    Column("hits", Integer, nullable=False),
)
