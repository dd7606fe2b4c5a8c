"""Static guard (R4.3): tenant context is only ever set transaction-locally."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("domain", "application", "adapters", "entrypoints", "bench")

_SESSION_SET = re.compile(r"\bSET\s+(?:SESSION\s+|LOCAL\s+)?app\.", re.IGNORECASE)
_SET_CONFIG = re.compile(r"set_config\s*\(([^()]*)\)", re.IGNORECASE)


def offences(source: str) -> list[str]:
    found = [m.group(0) for m in _SESSION_SET.finditer(source)]
    for match in _SET_CONFIG.finditer(source):
        arguments = [a.strip().lower() for a in match.group(1).split(",")]
        # set_config('search_path', …, false) is harmless; only app.* settings carry scope.
        if "app." in arguments[0] and (len(arguments) < 3 or arguments[2] != "true"):
            found.append(match.group(0))
    return found


def test_the_guard_recognises_the_forbidden_forms() -> None:
    assert offences("SET app.tenant_id = 'x'")
    assert offences("set session app.user_id to 'x'")
    assert offences("select set_config('app.tenant_id', :t, false)")
    assert not offences("select set_config('app.tenant_id', :t, true)")


def test_no_source_sets_a_session_level_tenant_context() -> None:
    hits = {
        str(path.relative_to(ROOT)): found
        for folder in SOURCES
        for path in (ROOT / folder).rglob("*.py")
        if (found := offences(path.read_text()))
    }

    assert hits == {}


# Connections that bypass the unit of work (and so the scope binding) exist only where no
# tenant row is touched: readiness, migrations (as the owner), provisioning and the catalog
# checks (which run unscoped on purpose, to prove the fail-closed default), and the job queue's
# own connections (PgQueuer claims and beats on atlas_jobs, which holds no tenant row), and
# the feed's LISTEN connection (it runs no query but a liveness probe: notices only); and the
# backup tooling, which reads every tenant on purpose as the BYPASSRLS backup role (census, the
# live erasure list) and restores as an administrator into a new database (docs/backups.md);
# and the operator's tenant list (atlas tenants list), read the same way as the backup role;
# and the operator's status (atlas status): counts and ages across tenants, as the backup role.
UNSCOPED_ALLOWED = {
    "adapters/backup/census.py",
    "adapters/backup/erasure_list.py",
    "adapters/backup/restore.py",
    "adapters/postgres/feed_listener.py",
    "adapters/postgres/probe.py",
    "adapters/postgres/worker.py",
    "adapters/postgres/migrate.py",
    "adapters/postgres/operator_status.py",
    "adapters/postgres/provision.py",
    "adapters/postgres/tenancy_checks.py",
    "adapters/postgres/tenant_directory.py",
}
_UNSCOPED = re.compile(r"\b(?:engine\.connect|engine\.begin|asyncpg\.connect|create_pool)\s*\(")


def test_only_the_listed_modules_open_connections_outside_a_unit_of_work() -> None:
    found = {
        str(path.relative_to(ROOT))
        for folder in ("domain", "application", "adapters", "entrypoints")
        for path in (ROOT / folder).rglob("*.py")
        if _UNSCOPED.search(path.read_text())
    }

    assert found <= UNSCOPED_ALLOWED, sorted(found - UNSCOPED_ALLOWED)
