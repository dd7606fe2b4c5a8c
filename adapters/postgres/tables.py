"""SQLAlchemy Core descriptions of the tables the repositories query (DDL lives in migrations)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, Table, Text, Uuid

from adapters.postgres.roles import SCHEMA

metadata = MetaData(schema=SCHEMA)


def when(name: str, *, nullable: bool = False) -> Column[object]:
    """A timestamptz column: every time Atlas stores carries its zone."""
    return Column(name, DateTime(timezone=True), nullable=nullable)


tenants = Table(
    "tenants",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("region", Text, nullable=False),
    when("created_at"),
    Column("purge_after", DateTime(timezone=True)),
)

users = Table(
    "users",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("email", Text, nullable=False),
    Column("name", Text, nullable=False),
    when("created_at"),
    when("disabled_at", nullable=True),
    when("email_verified_at", nullable=True),
)

credentials = Table(
    "credentials",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("password_hash", Text, nullable=False),
    when("updated_at"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("user_id", Uuid, primary_key=True),
    Column("role", Text, nullable=False),
    when("created_at"),
)
