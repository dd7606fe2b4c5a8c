"""SQLAlchemy Core descriptions of the identity session tables (DDL lives in migration 0002)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, LargeBinary, Table, Text, Uuid

from adapters.postgres.tables import metadata


def _when(name: str, *, nullable: bool = False) -> Column[object]:
    return Column(name, DateTime(timezone=True), nullable=nullable)


refresh_families = Table(
    "refresh_families",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("family_id", Uuid, primary_key=True),
    Column("user_id", Uuid, nullable=False),
    _when("created_at"),
    _when("last_used_at"),
    _when("expires_at"),
    _when("revoked_at", nullable=True),
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
    _when("issued_at"),
    _when("used_at", nullable=True),
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
    _when("created_at"),
    _when("expires_at"),
    _when("accepted_at", nullable=True),
    _when("revoked_at", nullable=True),
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
    _when("occurred_at"),
)

rate_limits = Table(
    "rate_limits",
    metadata,
    Column("bucket", LargeBinary, primary_key=True),
    _when("window_start"),
    Column("hits", Integer, nullable=False),
)
