"""Fixtures of the browser tests: one ``atlas up`` and one Chromium per module."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.harness import CHROMIUM_FLAGS, WATCH_CSP, Watch, chromium, served

__all__ = ["served"]  # the fixture


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    path = chromium()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


class Visit:
    """A browser context of its own (its own cookies: one person), its page and its watch."""

    def __init__(self, browser: Any, base: str) -> None:
        # The development certificate's CA is not in Chromium's store; the origin is still
        # https, so Secure and __Host- cookies behave as in production.
        self.context = browser.new_context(
            ignore_https_errors=True, viewport={"width": 1366, "height": 860}, base_url=base
        )
        self.context.add_init_script(WATCH_CSP)
        self.page = self.context.new_page()
        self.watch = Watch()
        self.watch.attach(self.page)

    def close(self) -> None:
        self.watch.check(self.page)
        self.context.close()


@pytest.fixture
def visit(browser: Any, served: Any) -> Iterator[Any]:
    opened: list[Visit] = []

    def open_visit() -> Visit:
        opened.append(Visit(browser, served.base))
        return opened[-1]

    yield open_visit
    for each in opened:
        each.close()
    # What the browsers reported to the server's report-uri (the second witness of the CSP).
    assert "csp violation" not in served.log.read_text(), served.log.read_text()[-3000:]
