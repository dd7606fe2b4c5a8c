"""``atlas feed``'s readable lines: one per event, the seq, the local time, the kind, a summary."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from entrypoints.cli_feed import readable

pytestmark = pytest.mark.unit

AT = "2026-01-15T09:30:01Z"
LOCAL = datetime(2026, 1, 15, 9, 30, 1, tzinfo=UTC).astimezone().strftime("%H:%M:%S")


def _event(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"type": "event", "seq": 42, "kind": kind, "at": AT, "data": data}


def test_a_sync_page_says_the_provider_stream_and_counts() -> None:
    page = {"pages": 1, "fetched": 120, "new": 7, "changed": 0, "deleted": 0}
    data = {"provider": "gmail", "stream": "messages", "status": "running", "page": page}

    line = readable(_event("sync.progress", data))

    assert line == f"#42 {LOCAL} sync.progress gmail messages 120 fetched 7 new"


def test_a_security_alert_names_the_alert_and_the_member() -> None:
    data = {"alert": "sign_in", "user_id": "u-1", "address": "127.0.0.1", "session_id": "s-1"}

    line = readable(_event("security.alert", data))

    assert line == f"#42 {LOCAL} security.alert sign_in user u-1 from 127.0.0.1"


def test_an_unknown_kind_or_shape_still_prints_its_plain_fields() -> None:
    assert readable(_event("future.kind", {"a": 1, "b": {"nested": True}})) == (
        f"#42 {LOCAL} future.kind a=1"
    )
    assert readable(_event("graph.changed", {"unexpected": "x"})) == (
        f"#42 {LOCAL} graph.changed unexpected=x"
    )
