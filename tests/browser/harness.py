"""What every browser test needs: Debian's Chromium driven by Playwright (no browser download),
a real ``atlas up`` serving the built app, and the watchers that fail a run on a console error,
a CSP violation or a serious accessibility finding."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from adapters.postgres.throwaway import free_port
from tests.e2e.test_make_run import Running, _start, _stop, atlas_env
from tests.factories.tools import missing

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
DIST = ROOT / "web" / "dist" / "index.html"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_FLAGS = [
    # Root cannot use Chromium's sandbox; the rest keep it off this machine's closed network.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]
# Records CSP violations as the page sees them (the server's report endpoint hears them too).
WATCH_CSP = """
window.__atlasViolations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__atlasViolations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        missing("Debian's Chromium is not installed (apt-get install chromium)")
    assert found
    return found


def built_app() -> None:
    if not DIST.exists():
        missing("the web app is not built (make web)")
    if not AXE.exists():
        missing("web/node_modules is missing (make web)")


@dataclass
class Served:
    running: Running
    env: dict[str, str]
    data_dir: Path
    log: Path

    @property
    def base(self) -> str:
        return self.running.base

    def outbox(self) -> list[str]:
        """Development email: each message a file under the data dir, oldest first."""
        folder = self.data_dir / "outbox"
        return [p.read_text() for p in sorted(folder.glob("*.txt"))] if folder.exists() else []


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    """``atlas up`` (embedded PostgreSQL, TLS, worker, provider sandbox) serving the built app."""
    built_app()
    root = Path(tempfile.mkdtemp(prefix="atlas-web-"))
    port = free_port()
    origin = {"ATLAS_APP_ORIGIN": f"https://127.0.0.1:{port}"}
    log = root / "atlas-up.log"
    running = _start(root / ".atlas", port, log=log, **origin)
    try:
        yield Served(running, atlas_env(root / ".atlas", port, **origin), root / ".atlas", log)
    finally:
        _stop(running)
        subprocess.run(  # the embedded cluster, should up have left it running
            [str(Path(sys.executable).parent / "atlas"), "db", "stop"],
            env=atlas_env(root / ".atlas", port),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Watch:
    """Everything a page said that a clean run must not: console errors, uncaught exceptions,
    CSP violations. ``allowed`` holds substrings of console errors a test caused on purpose."""

    problems: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        text = message.text
        if any(expected in text for expected in self.allowed):
            return
        self.problems.append(f"console: {text} @ {message.location.get('url', '')}")

    def check(self, page: Any) -> None:
        violations = page.evaluate("window.__atlasViolations || []")
        assert not violations, f"CSP violations: {violations}"
        assert not self.problems, "\n".join(self.problems)


def accessible(page: Any, screen: str) -> None:
    """axe-core on the page as it is: no serious or critical violation (WCAG 2.x A and AA)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, which the page's CSP does not govern:
        # the app itself never loads axe.
        page.evaluate(AXE.read_text())
    found = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
              runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
              resultTypes: ['violations'],
            });
            return result.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3)
                .map(n => n.target.join(' ')).join(', '));
        }"""
    )
    assert not found, f"{screen}: {found}"


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)
