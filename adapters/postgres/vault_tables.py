"""SQLAlchemy Core descriptions of the vault's tables (DDL lives in migration 0003)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, Table, Text, Uuid

from adapters.postgres.tables import metadata, when

vault_key_versions = Table(
    "vault_key_versions",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("kdf", Text, nullable=False),
    Column("hash", Text, nullable=False),
    Column("iterations", Integer, nullable=False),
    Column("salt", LargeBinary, nullable=False),
    Column("key_check", LargeBinary, nullable=False),
    Column("state", Text, nullable=False),
    Column("encryption_count", BigInteger, nullable=False),
    when("created_at"),
    when("demoted_at", nullable=True),
    when("retired_at", nullable=True),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("key_id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("hint", Text, nullable=False),
    Column("sealed", LargeBinary, nullable=False),
    Column("key_version", Integer, nullable=False),
    Column("created_by", Uuid, nullable=True),
    when("created_at"),
)

oauth_tokens = Table(
    "oauth_tokens",
    metadata,
    Column("tenant_id", Uuid, primary_key=True),
    Column("user_id", Uuid, primary_key=True),
    Column("connection_id", Uuid, primary_key=True),
    Column("access_token", LargeBinary, nullable=False),
    Column("refresh_token", LargeBinary, nullable=True),
    when("expires_at", nullable=True),
    Column("key_version", Integer, nullable=False),
    when("updated_at"),
)
