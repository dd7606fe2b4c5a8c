"""A seeded feed rig per test; every stream it opened is ended, and must not have raised."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.factories.feed import FeedRig


@pytest.fixture
async def rig() -> AsyncIterator[FeedRig]:
    rig = FeedRig()
    await rig.seed()
    yield rig
    await rig.aclose()
