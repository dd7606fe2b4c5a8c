"""A test that needs a tool the machine lacks: a skip on a developer's machine, a failure in CI.

Under ``CI=true`` nothing may pass by not running (.ci/run installs Debian's PostgreSQL with
OpenSSL and Chromium first, so a failure here means that install did not happen).
"""

from __future__ import annotations

import os

import pytest


def missing(what: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what}; under CI=true a missing tool fails the run (.ci/run installs it)")
    pytest.skip(what)
