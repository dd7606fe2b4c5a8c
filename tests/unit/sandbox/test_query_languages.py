"""The SOQL and JQL readers: what Atlas sends parses, the rest fails as the provider fails."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.sandbox.providers.jira.jql import JqlError
from adapters.sandbox.providers.jira.jql import parse as jql
from adapters.sandbox.providers.salesforce.soql import SoqlError
from adapters.sandbox.providers.salesforce.soql import parse as soql


def test_the_incremental_window_query_parses() -> None:
    sut = soql(
        "SELECT Id, StageName FROM Opportunity WHERE SystemModstamp >= 2025-10-01T00:00:00Z "
        "AND SystemModstamp < 2025-10-02T00:00:00.000+0000 ORDER BY SystemModstamp, Id LIMIT 500"
    )

    assert sut.sobject == "Opportunity"
    assert sut.fields == ("Id", "StageName")
    assert [c.value for c in sut.where] == [
        datetime(2025, 10, 1, tzinfo=UTC),
        datetime(2025, 10, 2, tzinfo=UTC),
    ]
    assert sut.order == (("SystemModstamp", False), ("Id", False))
    assert sut.limit == 500


@pytest.mark.parametrize(
    "text",
    [
        "SELECT FROM Account",
        "SELECT Id FROM Account WHERE",
        "SELECT Id FROM A WHERE X = 1 OR Y = 2",
        "SELECT Id FROM A ORDER",
    ],
)
def test_malformed_soql_is_refused(text: str) -> None:
    with pytest.raises(SoqlError) as refused:
        soql(text)

    assert refused.value.code == "MALFORMED_QUERY"


def test_jql_dates_are_read_in_the_users_time_zone() -> None:
    amsterdam = jql(
        'updated >= "2026-01-05 00:00" AND project = ENG ORDER BY updated ASC', "Europe/Amsterdam"
    )
    new_york = jql('updated >= "2026-01-05 00:00"', "America/New_York")

    assert amsterdam.clauses[0].value == datetime(2026, 1, 4, 23, 0, tzinfo=UTC)
    assert new_york.clauses[0].value == datetime(2026, 1, 5, 5, 0, tzinfo=UTC)
    assert amsterdam.order == (("updated", False),)


def test_a_jql_date_with_seconds_is_refused() -> None:
    with pytest.raises(JqlError):
        jql('updated >= "2026-01-05 00:00:00"', "UTC")
