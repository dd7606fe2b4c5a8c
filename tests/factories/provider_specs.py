"""The providers' published API specs (``../shared/reference/specs``), read for the checks that
hold the endpoint registry (and later the sandbox) to them. Found like the shared event logs:
``SHARED_SPECS_DIR``, the folder beside the checkout, or the workplace's copy; missing fails."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import msgspec

ROOT = Path(__file__).resolve().parents[2]
SLACK_WEB = "slack/slack_web_openapi_v2_without_examples.json"


class SpecMethod(msgspec.Struct, frozen=True, kw_only=True):
    operation: str  # the spec's id: gmail.users.messages.list, conversations.history
    http_method: str
    path: str  # below the host, with "{}" for each parameter
    scopes: tuple[str, ...]


def specs_dir() -> Path:
    candidates = [
        Path(os.environ["SHARED_SPECS_DIR"]) if os.environ.get("SHARED_SPECS_DIR") else None,
        ROOT.parent / "shared" / "reference" / "specs",
        Path("/work/shared/reference/specs"),
    ]
    for candidate in candidates:
        if candidate is not None and (candidate / "README.md").exists():
            return candidate
    raise FileNotFoundError(
        "the providers' specs are not at ../shared/reference/specs; set SHARED_SPECS_DIR"
    )


@cache
def spec(name: str) -> Any:
    return json.loads((specs_dir() / name).read_text())


def _template(path: str) -> str:
    import re

    return re.sub(r"\{[^}]*\}", "{}", path)


def google_methods(name: str) -> dict[str, SpecMethod]:
    """Every method of a discovery document, by its id, with its path from the host root."""
    document = spec(name)
    prefix = "/" + document["servicePath"]

    def walk(resource: dict[str, Any]) -> Iterator[SpecMethod]:
        for method in resource.get("methods", {}).values():
            yield SpecMethod(
                operation=method["id"],
                http_method=method["httpMethod"],
                path=_template(prefix + method["path"]).replace("//", "/"),
                scopes=tuple(method.get("scopes", ())),
            )
        for child in resource.get("resources", {}).values():
            yield from walk(child)

    return {m.operation: m for m in walk(document)}


def slack_methods() -> dict[str, SpecMethod]:
    """Every Web API method, by name (``conversations.history``), under ``/api``."""
    found: dict[str, SpecMethod] = {}
    for path, operations in spec(SLACK_WEB)["paths"].items():
        for http_method, operation in operations.items():
            scopes = [s for sec in operation.get("security", []) for s in sec.get("slackAuth", [])]
            found[path.lstrip("/")] = SpecMethod(
                operation=path.lstrip("/"),
                http_method=http_method.upper(),
                path="/api" + path,
                scopes=tuple(s for s in scopes if s != "none"),
            )
    return found
