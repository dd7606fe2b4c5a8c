"""Where and how PgQueuer's tables live: their own schema, named once for every user of them."""

from __future__ import annotations

from pgqueuer.adapters.persistence.qb import QueryBuilderEnvironment
from pgqueuer.domain.settings import DBSettings, Durability
from pgqueuer.domain.types import Channel

JOBS_SCHEMA = "atlas_jobs"
JOBS_CHANNEL = "atlas_jobs"


def jobs_settings() -> DBSettings:
    """PgQueuer's names, explicit: its ``PGQUEUER_*`` environment variables cannot move
    Atlas's job tables elsewhere."""
    return DBSettings(
        prefix="",
        db_schema=JOBS_SCHEMA,
        channel=Channel(JOBS_CHANNEL),
        queue_table="pgqueuer",
        queue_table_log="pgqueuer_log",
        statistics_table="pgqueuer_statistics",
        schedules_table="pgqueuer_schedules",
        queue_status_type="pgqueuer_status",
        function="fn_pgqueuer_changed",
        trigger="tg_pgqueuer_changed",
        durability=Durability.durable,  # a queued sync survives a database crash
    )


def install_statements() -> list[str]:
    """PgQueuer's own install DDL for the pinned release (constraints.txt): the tables,
    indexes, enum, trigger and notify function its queue manager checks for at start, one
    statement at a time (a migration runs each as a prepared statement)."""
    return split_statements(QueryBuilderEnvironment(jobs_settings()).build_install_query())


def split_statements(sql: str) -> list[str]:
    """Split at top-level semicolons: a ``$$``-quoted function body keeps its own."""
    statements, current, quoted = [], [], False
    for part in sql.split("$$"):
        if quoted:
            current.append(f"$${part}$$")
        else:
            *done, rest = part.split(";")
            for piece in done:
                statements.append("".join([*current, piece]).strip())
                current = []
            current.append(rest)
        quoted = not quoted
    statements.append("".join(current).strip())
    return [
        s for s in statements if s and not all(line.startswith("--") for line in s.splitlines())
    ]
