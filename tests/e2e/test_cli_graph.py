"""``atlas import`` and ``atlas process-map`` against a real database, through the use cases."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner

from adapters.postgres.identity import PostgresIdentityUnitOfWork
from entrypoints.cli import main
from tests.conftest import FreshDatabase
from tests.factories.event_logs import event_log
from tests.factories.identity import seed_tenant_with_owner

HELPDESK = event_log("helpdesk.xes.gz")


# The CLI starts the real container (the vault's keyring with the real KDF included), so it
# gets a fresh database copy rather than the shared one the fast test keyrings prepared.


@pytest.fixture
async def tenant(fresh_database: FreshDatabase) -> str:
    seeded, _ = await seed_tenant_with_owner(
        partial(PostgresIdentityUnitOfWork, fresh_database.sessions)
    )
    return str(seeded.id)


@pytest.fixture
def environment(fresh_database: FreshDatabase, tmp_path: Path) -> dict[str, str]:
    return {
        "ATLAS_DATA_DIR": str(tmp_path),
        "ATLAS_DATABASE_URL": fresh_database.app.render(hide_password=False),
        "ATLAS_DATABASE_OWNER_URL": fresh_database.owner.render(hide_password=False),
        "ATLAS_LOG_LEVEL": "WARNING",
    }


def test_import_then_print_the_map_as_json_and_as_a_table(
    tenant: str, environment: dict[str, str]
) -> None:
    runner = CliRunner()
    args = ["--tenant", tenant]

    imported = runner.invoke(
        main, ["import", str(HELPDESK), "--object-type", "ticket", *args], env=environment
    )
    as_json = runner.invoke(
        main, ["process-map", "--object-type", "ticket", "--json", *args], env=environment
    )
    as_table = runner.invoke(
        main,
        ["process-map", "--object-type", "ticket", "--from", "2012-01-01T00:00:00+00:00", *args],
        env=environment,
    )

    assert imported.exit_code == 0, imported.output
    assert "Imported 21,348 events (xes)" in imported.output
    served = json.loads(as_json.output)
    assert served["map"]["objects"] == 4_580
    assert sum(n["count"] for n in served["map"]["nodes"]) == 21_348
    assert as_table.exit_code == 0, as_table.output
    assert "Directly follows" in as_table.output
    assert "Handoffs" in as_table.output


def test_an_unknown_tenant_is_refused(environment: dict[str, str]) -> None:
    result = CliRunner().invoke(
        main,
        ["process-map", "--object-type", "x", "--tenant", "00000000-0000-0000-0000-000000000001"],
        env=environment,
    )

    assert result.exit_code != 0
    assert "no such tenant" in result.output
