"""SQLAlchemy Core descriptions of the integrations' tables (DDL lives in migration 0005)."""

from __future__ import annotations

from sqlalchemy import ARRAY, Boolean, Column, Integer, LargeBinary, Table, Text, Uuid

from adapters.postgres.tables import metadata, when

connections = Table(
    "connections",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("user_id", Uuid, nullable=False),
    Column("connection_id", Uuid, primary_key=True),
    Column("provider", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("subdomain", Text, nullable=True),
    Column("scopes_requested", ARRAY(Text), nullable=False),
    Column("scopes_granted", ARRAY(Text), nullable=False),
    Column("external_account", Text, nullable=True),
    Column("instance_url", Text, nullable=True),
    Column("needs_review", Boolean, nullable=False),
    when("created_at"),
    when("updated_at"),
    when("last_refresh_at", nullable=True),
    Column("last_error", Text, nullable=True),
    Column("failure_count", Integer, nullable=False),
    when("retry_not_before", nullable=True),
    when("reauth_notified_at", nullable=True),
    Column("revocation", Text, nullable=True),
    Column("shared", Boolean, nullable=False),
)

oauth_states = Table(
    "oauth_states",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("user_id", Uuid, nullable=False),
    Column("state_id", Uuid, primary_key=True),
    Column("connection_id", Uuid, nullable=False),
    Column("reconnect", Boolean, nullable=False),
    Column("provider", Text, nullable=False),
    Column("platform", Text, nullable=False),
    Column("subdomain", Text, nullable=True),
    Column("scopes", ARRAY(Text), nullable=False),
    Column("redirect_uri", Text, nullable=False),
    Column("state_hash", LargeBinary, nullable=False),
    Column("ticket_hash", LargeBinary, nullable=False),
    Column("sealed_authorization", LargeBinary, nullable=False),
    Column("sealed_verifier", LargeBinary, nullable=True),
    Column("binding_hash", LargeBinary, nullable=True),
    when("created_at"),
    when("ticket_expires_at"),
    when("expires_at"),
    when("ticket_used_at", nullable=True),
    when("consumed_at", nullable=True),
)
