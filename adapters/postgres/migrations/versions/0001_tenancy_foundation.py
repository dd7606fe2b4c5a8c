"""Tenancy foundation: tenants, login identities, credentials, memberships.

Revision ID: 0001
Revises:
"""

from alembic import op

from adapters.postgres.migrations.rls import CURRENT_TENANT, CURRENT_USER, tenant_table
from adapters.postgres.roles import APP_ROLE, AUTH_ROLE, OWNER_ROLE, SCHEMA

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = SCHEMA


def upgrade() -> None:
    for statement in _privileges() + _tables() + _policies() + _login_functions():
        op.execute(statement)


def _privileges() -> list[str]:
    return [
        f"GRANT USAGE ON SCHEMA {S} TO {APP_ROLE}",
        # Every table the owner creates here from now on is readable and writable by the app,
        # and nothing more: no TRUNCATE, REFERENCES or TRIGGER, which row security ignores.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA {S} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP_ROLE}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} IN SCHEMA {S} "
        f"GRANT USAGE, SELECT ON SEQUENCES TO {APP_ROLE}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {OWNER_ROLE} REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC",
        # /ready compares the schema version with the code's; the app may only read it.
        f"GRANT SELECT ON {S}.alembic_version TO {APP_ROLE}",
        f"GRANT USAGE, CREATE ON SCHEMA {S} TO {AUTH_ROLE}",
    ]


def _tables() -> list[str]:
    return [
        f"""
        CREATE TABLE {S}.tenants (
            tenant_id uuid PRIMARY KEY,
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            region text NOT NULL CHECK (region IN ('europe-west4', 'us-central1')),
            created_at timestamptz NOT NULL
        )""",
        # The login identity: global on purpose (one email, one person), so not a tenant table.
        f"""
        CREATE TABLE {S}.users (
            user_id uuid PRIMARY KEY,
            email text NOT NULL
                CONSTRAINT users_email_normalised CHECK (email = lower(btrim(email))),
            name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
            created_at timestamptz NOT NULL,
            disabled_at timestamptz
        )""",
        f"CREATE UNIQUE INDEX users_email_key ON {S}.users (email)",
        # Password hashes live apart from profiles: colleagues may see a name, never a hash.
        f"""
        CREATE TABLE {S}.credentials (
            user_id uuid PRIMARY KEY REFERENCES {S}.users (user_id) ON DELETE CASCADE,
            password_hash text NOT NULL,
            updated_at timestamptz NOT NULL
        )""",
        f"""
        CREATE TABLE {S}.memberships (
            tenant_id uuid NOT NULL REFERENCES {S}.tenants (tenant_id) ON DELETE CASCADE,
            user_id uuid NOT NULL REFERENCES {S}.users (user_id) ON DELETE CASCADE,
            role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
            created_at timestamptz NOT NULL,
            CONSTRAINT memberships_pkey PRIMARY KEY (tenant_id, user_id)
        )""",
        # Serves the login path's "which tenants is this user in", across tenants by design.
        f"CREATE INDEX memberships_user_id ON {S}.memberships (user_id)",
    ]


def _policies() -> list[str]:
    own_row = f"user_id = {CURRENT_USER}"
    colleague = (
        f"EXISTS (SELECT 1 FROM {S}.memberships m "
        f"WHERE m.user_id = users.user_id AND m.tenant_id = {CURRENT_TENANT})"
    )
    return [
        *tenant_table("tenants"),
        *tenant_table("memberships"),
        f"ALTER TABLE {S}.users ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.users FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY users_self ON {S}.users USING ({own_row}) WITH CHECK ({own_row})",
        f"CREATE POLICY users_colleagues ON {S}.users FOR SELECT USING ({colleague})",
        f"ALTER TABLE {S}.credentials ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {S}.credentials FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY credentials_self ON {S}.credentials "
        f"USING ({own_row}) WITH CHECK ({own_row})",
        # The login lookups below run as atlas_auth and read exactly these rows, nothing else.
        *(
            f"CREATE POLICY {table}_login_lookup ON {S}.{table} FOR SELECT TO {AUTH_ROLE} "
            "USING (true)"
            for table in ("users", "credentials", "memberships", "tenants")
        ),
        f"GRANT SELECT ON {S}.users, {S}.credentials, {S}.memberships, {S}.tenants TO {AUTH_ROLE}",
    ]


def _login_functions() -> list[str]:
    definer = "LANGUAGE sql STABLE SECURITY DEFINER SET search_path = ''"
    return [
        # Before authentication there is no scope: this returns only id and hash, for one exact
        # email, and nothing for a disabled account (it must look exactly like an unknown one).
        f"""
        CREATE FUNCTION {S}.login_identity(p_email text)
        RETURNS TABLE (user_id uuid, password_hash text) {definer} AS $$
            SELECT u.user_id, c.password_hash
            FROM {S}.users u JOIN {S}.credentials c ON c.user_id = u.user_id
            WHERE u.email = p_email AND u.disabled_at IS NULL
        $$""",
        # After authentication, before a tenant is chosen: the scope's own memberships only.
        f"""
        CREATE FUNCTION {S}.memberships_of_current_user()
        RETURNS TABLE (tenant_id uuid, tenant_name text, role text) {definer} AS $$
            SELECT m.tenant_id, t.name, m.role
            FROM {S}.memberships m JOIN {S}.tenants t ON t.tenant_id = m.tenant_id
            WHERE m.user_id = {CURRENT_USER}
            ORDER BY t.name, m.tenant_id
        $$""",
        *(
            stmt
            for fn in ("login_identity(text)", "memberships_of_current_user()")
            for stmt in (
                f"REVOKE ALL ON FUNCTION {S}.{fn} FROM PUBLIC",
                f"GRANT EXECUTE ON FUNCTION {S}.{fn} TO {APP_ROLE}",
                # Last: the grants move with ownership, and the owner (NOINHERIT) cannot change
                # a function's privileges once atlas_auth owns it.
                f"ALTER FUNCTION {S}.{fn} OWNER TO {AUTH_ROLE}",
            )
        ),
    ]


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {S}.memberships_of_current_user()")
    op.execute(f"DROP FUNCTION IF EXISTS {S}.login_identity(text)")
    for table in ("memberships", "credentials", "users", "tenants"):
        op.execute(f"DROP TABLE IF EXISTS {S}.{table}")
