"""``atlas tenants create`` and ``atlas tenants list`` on a real database, then ``atlas import``
into the new tenant: an operator's path that never touches the HTTP API."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from entrypoints.cli import main
from tests.conftest import FreshDatabase
from tests.factories.event_logs import shared_data

OCEL = shared_data() / "ocel20_example.jsonocel"


@pytest.fixture
def environment(fresh_database: FreshDatabase, tmp_path: Path) -> dict[str, str]:
    return {
        "ATLAS_DATA_DIR": str(tmp_path),
        "ATLAS_DATABASE_URL": fresh_database.app.render(hide_password=False),
        "ATLAS_DATABASE_OWNER_URL": fresh_database.owner.render(hide_password=False),
        "ATLAS_DATABASE_BACKUP_URL": fresh_database.backup.render(hide_password=False),
        "ATLAS_LOG_LEVEL": "WARNING",
    }


def test_an_operator_creates_a_tenant_lists_it_and_imports_into_it(
    environment: dict[str, str],
) -> None:
    runner = CliRunner()
    create = ["tenants", "create", "--name", "Northwind", "--owner-email", "ops@northwind.test",
              "--owner-name", "Ada Ops"]  # fmt: skip

    password = "correct horse battery 9\n" * 2  # prompted, then confirmed

    created = runner.invoke(main, create, env=environment, input=password)
    again = runner.invoke(main, create, env=environment, input=password)
    listed = runner.invoke(main, ["tenants", "list", "--json"], env=environment)
    table = runner.invoke(main, ["tenants", "list"], env=environment)
    tenant = created.output.split("Tenant ")[-1].split()[0] if created.exit_code == 0 else ""
    imported = runner.invoke(main, ["import", str(OCEL), "--tenant", tenant], env=environment)

    assert created.exit_code == 0, created.output
    assert again.exit_code != 0
    assert "identity.email_taken" in again.output
    (row,) = json.loads(listed.output)
    assert (row["id"], row["name"], row["members"], row["status"]) == (
        tenant, "Northwind", 1, "active",
    )  # fmt: skip
    assert tenant in table.output
    assert "1 tenant(s)." in table.output
    assert imported.exit_code == 0, imported.output
    assert "Imported 13 events (ocel)" in imported.output


def test_listing_needs_the_backup_role(environment: dict[str, str]) -> None:
    without = {k: v for k, v in environment.items() if k != "ATLAS_DATABASE_BACKUP_URL"}

    refused = CliRunner().invoke(main, ["tenants", "list"], env=without)

    assert refused.exit_code != 0
    assert "ATLAS_DATABASE_BACKUP_URL" in refused.output
