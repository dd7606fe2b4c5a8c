"""The control key's header, wherever a test reaches a sandbox's control API from.

A served sandbox (``atlas sandbox serve``) and the development app's mounted one both read
their key from the data directory; an app built in the test process names its sandbox on the
``/sandbox`` mount, whose key the test can read without knowing the data directory.
"""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.routes import ASGIRoute

from adapters.sandbox.control_key import control_headers, ensure_control_key
from adapters.sandbox.sandbox import Sandbox
from entrypoints.http.sandbox import SANDBOX_OPT


def control_of(data_dir: Path) -> dict[str, str]:
    """For a sandbox started with ``data_dir``: the key it reads (made now if it is the first)."""
    return control_headers(ensure_control_key(data_dir))


def control_in(app: Litestar) -> dict[str, str]:
    """For the sandbox mounted at ``/sandbox`` of ``app`` (the development app)."""
    for route in app.routes:
        if isinstance(route, ASGIRoute) and SANDBOX_OPT in route.route_handler.opt:
            sandbox: Sandbox = route.route_handler.opt[SANDBOX_OPT]
            if sandbox.config.control_key is None:
                raise LookupError("the mounted sandbox has no control API")
            return control_headers(sandbox.config.control_key)
    raise LookupError("no sandbox is mounted in this app")
