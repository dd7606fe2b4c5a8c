"""The in-process harness: the whole app on fakes, no database, no network."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar

from application.shared.actor import Actor
from entrypoints.container import Application, fake_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings, load_settings


def harness_settings(tmp_path: Path, **environ: str) -> Settings:
    return load_settings(environ, cwd=tmp_path)


def build(settings: Settings) -> tuple[Litestar, Application]:
    container = fake_container(settings)
    return create_app(container), container


def bearer(container: Application, actor: Actor) -> dict[str, str]:
    """Headers that authenticate as ``actor`` in the fake harness."""
    token = container.adapters().access_tokens().issue(actor)
    return {"Authorization": f"Bearer {token}"}
