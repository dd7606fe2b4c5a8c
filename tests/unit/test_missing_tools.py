"""Under CI a test that cannot run fails; on a developer's machine it is skipped and says why."""

from __future__ import annotations

import pytest

from tests.factories.tools import missing


def test_a_missing_tool_fails_the_run_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")

    with pytest.raises(pytest.fail.Exception, match="chromium"):
        missing("chromium")


def test_a_missing_tool_is_a_skip_that_says_why_elsewhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)

    with pytest.raises(pytest.skip.Exception, match="chromium"):
        missing("chromium")
