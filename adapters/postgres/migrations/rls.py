"""SQL for row-level tenancy, shared by migrations.

Migrations are history: never change what these functions emit. If the policy shape must
change, add a new function and a migration that moves every table to it.
"""

from __future__ import annotations

from adapters.postgres.roles import APP_ROLE, SCHEMA

# Wrapped in a scalar sub-select so the planner evaluates it once per statement (an InitPlan),
# not once per row; NULLIF turns the '' left by an ended transaction-local setting into NULL,
# and NULL never equals anything: no context, no rows.
CURRENT_TENANT = "(SELECT NULLIF(pg_catalog.current_setting('app.tenant_id', true), '')::uuid)"
CURRENT_USER = "(SELECT NULLIF(pg_catalog.current_setting('app.user_id', true), '')::uuid)"


def tenant_predicate(*, user_column: str | None = None) -> str:
    predicate = f"tenant_id = {CURRENT_TENANT}"
    if user_column is not None:
        predicate += f" AND {user_column} = {CURRENT_USER}"
    return predicate


def tenant_table(table: str, *, user_column: str | None = None) -> list[str]:
    """Statements making ``table`` a tenant table: forced row security, fail-closed policies.

    The permissive policy grants the tenant's rows to every role (the owner included, since
    FORCE applies policies to it). The restrictive twin on the app role is the guard: a
    permissive policy added later can widen nothing across tenants. With ``user_column``,
    rows are private to one user of the tenant as well.
    """
    qualified = f"{SCHEMA}.{table}"
    predicate = tenant_predicate(user_column=user_column)
    return [
        f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {qualified} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY {table}_isolation ON {qualified} "
        f"USING ({predicate}) WITH CHECK ({predicate})",
        f"CREATE POLICY {table}_guard ON {qualified} AS RESTRICTIVE TO {APP_ROLE} "
        f"USING ({predicate}) WITH CHECK ({predicate})",
    ]


def private_predicate() -> str:
    """A tenant's row that is shared, or private to the transaction's user."""
    return f"tenant_id = {CURRENT_TENANT} AND (private_to IS NULL OR private_to = {CURRENT_USER})"


def private_policies(table: str) -> list[str]:
    """The policies of a table whose rows may be private to one member (``private_to``):
    the tenant's shape, with the private condition in both the permissive policy and its
    restrictive twin. Writes are held to it too: nobody writes a row private to someone else.
    """
    qualified = f"{SCHEMA}.{table}"
    predicate = private_predicate()
    return [
        f"CREATE POLICY {table}_isolation ON {qualified} "
        f"USING ({predicate}) WITH CHECK ({predicate})",
        f"CREATE POLICY {table}_guard ON {qualified} AS RESTRICTIVE TO {APP_ROLE} "
        f"USING ({predicate}) WITH CHECK ({predicate})",
    ]
