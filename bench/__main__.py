"""Run every benchmark (or those named) and print the figures: `python -m bench [name ...]`.

``--seconds N`` bounds the fuzzer (``python -m bench fuzz --seconds N``: N seconds per reader).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from bench import (
    audit,
    cli_import,
    connections,
    feed,
    fuzz,
    graph,
    identity,
    load,
    mapcache,
    ops,
    private_rls,
    rls,
    sandbox,
    sync,
    vault,
    web,
)

BENCHMARKS: dict[str, Callable[[], Awaitable[Any]]] = {
    "rls": rls.run,
    "private_rls": private_rls.run,  # who sees what (issue 10): the user-scoped policies' cost
    "identity": identity.run,
    "vault": vault.run,
    "graph": graph.run,
    "mapcache": mapcache.run,  # process maps (issue 14): 10M events, /health while computing
    "connections": connections.run,  # integrations (issue 5): refresh storm
    "sandbox": sandbox.run,  # sync (issue 9): the large sandbox company, generated and paged
    "sync": sync.run,  # sync (issue 9): the large company from seven providers, end to end
    "feed": feed.run,  # the realtime feed (issue 11): 1,000 sockets, 100 events/s, two processes
    "web": web.run,  # the web app (issue 12): navigation to a drawn map in Chromium
    "audit": audit.run,  # compliance (issue 13): audit append cost, audit verify speed
    "ops": ops.run,  # backups (issue 13): backup and verified restore of BPIC + a synced company
    "cli_import": cli_import.run,  # issue 14: atlas import + atlas process-map, whole processes
    "load": load.run,  # load and faults (issue 14): 50 tenants, 2 APIs, 2 workers, a DB restart
    "fuzz": fuzz.run,  # load and faults (issue 14): atheris on the XES and OCEL readers
}


def main(names: list[str]) -> int:
    if "--seconds" in names:  # the fuzzer's time per reader, handed over by the environment
        at = names.index("--seconds")
        os.environ["ATLAS_BENCH_FUZZ_SECONDS"] = names[at + 1]
        names = names[:at] + names[at + 2 :]
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in names or list(BENCHMARKS):
        asyncio.run(BENCHMARKS[name]())
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
