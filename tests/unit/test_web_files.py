"""Which file a name under /assets may reach, and when gzip is acceptable."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from domain.compliance.audit import AuditAction
from entrypoints.http.web import SCREENS, accepts_gzip, file_in


@pytest.fixture
def assets(tmp_path: Path) -> Path:
    directory = tmp_path / "dist" / "assets"
    directory.mkdir(parents=True)
    (directory / "app-abc.js").write_text("ok")
    (directory / "app-abc.js.gz").write_bytes(b"gz")
    (directory / "nested").mkdir()
    (tmp_path / "dist" / "index.html").write_text("<!doctype html>")
    (tmp_path / "secret.txt").write_text("no")
    os.symlink(tmp_path / "secret.txt", directory / "link-out.js")
    return directory


def test_a_plain_file_name_in_the_directory_is_found(assets: Path) -> None:
    assert file_in(assets, "app-abc.js") == (assets / "app-abc.js").resolve()


@pytest.mark.parametrize(
    "name",
    ["..", ".", "../index.html", "../../secret.txt", "/etc/passwd", "nested", "a/../app-abc.js",
     "..\\secret.txt", "app-abc.js.gz", "link-out.js", "missing.js", ".hidden.js", "app-abc.js\x00",
     "app abc.js", "", "%2e%2e"],
)  # fmt: skip
def test_anything_else_is_refused(assets: Path, name: str) -> None:
    assert file_in(assets, name) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [("gzip", True), ("gzip, deflate, br", True), ("br;q=1.0, gzip;q=0.8", True), ("*", True),
     ("identity", False), (None, False), ("", False), ("gzip;q=0", False),
     ("*, gzip;q=0", False), ("GZIP", True), ("gzip;q=x", False)],
)  # fmt: skip
def test_gzip_is_sent_only_when_accepted(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected


def test_every_screen_the_app_routes_is_served_with_the_app() -> None:
    """A path the app's router shows must answer index.html, or a reload there is a 404."""
    source = (Path(__file__).resolve().parents[2] / "web" / "src" / "app.tsx").read_text()
    routed = set(
        re.findall(r'(?:case|NAV.*?|INVITATION =|VERIFICATION =|\[)\s*"(/[a-z-]+)"', source)
    )
    routed |= set(re.findall(r'"(/(?:signin|signup))"', source))
    assert routed, "the app's routes were not found in app.tsx"
    assert routed <= set(SCREENS), routed - set(SCREENS)


def test_every_action_the_audit_trail_records_has_words_in_the_app() -> None:
    """The audit log screen names each action in plain words; a new action without its words
    would show as a bare code."""
    source = (
        Path(__file__).resolve().parents[2] / "web" / "src" / "screens" / "compliance.ts"
    ).read_text()
    worded = set(re.findall(r'\["([a-z_]+\.[a-z_]+)", "', source))

    assert {a.value for a in AuditAction} <= worded, {a.value for a in AuditAction} - worded
