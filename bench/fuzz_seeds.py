"""Small valid logs the fuzzer starts from: a few traces of XES, a few objects and events of
OCEL 2.0 JSON, and each gzipped (what an upload may be)."""

from __future__ import annotations

import gzip
import json

XES = b"""<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0" xmlns="http://www.xes-standard.org/">
<global scope="event"><string key="concept:name" value="UNKNOWN"/></global>
<trace><string key="concept:name" value="case 1"/>
<event><string key="concept:name" value="Submitted"/><date key="time:timestamp"
 value="2011-10-01T00:38:44.546+02:00"/><string key="org:resource" value="112"/>
<int key="cost" value="3"/><boolean key="ok" value="true"/></event>
<event><string key="concept:name" value="Approved"/><date key="time:timestamp"
 value="2011-10-02T09:00:00Z"/><float key="amount" value="1.5"/>
<string key="lifecycle:transition" value="complete"/></event>
</trace>
<trace><string key="concept:name" value="case 2"/>
<event><string key="concept:name" value="Submitted"/><date key="time:timestamp"
 value="2011-10-03T11:36:46.437-05:00"/><id key="x" value="a1"/></event>
</trace>
</log>
"""

OCEL = {
    "objectTypes": [{"name": "order", "attributes": [{"name": "total", "type": "float"}]}],
    "eventTypes": [{"name": "place", "attributes": [{"name": "channel", "type": "string"}]}],
    "objects": [
        {"id": "o1", "type": "order", "attributes": [
            {"name": "total", "time": "2023-01-01T00:00:00Z", "value": 9.5}],
         "relationships": [{"objectId": "o2", "qualifier": "follows"}]},
        {"id": "o2", "type": "order"},
    ],
    "events": [
        {"id": "e1", "type": "place", "time": "2023-01-01T10:00:00Z",
         "attributes": [{"name": "channel", "value": "web"}],
         "relationships": [{"objectId": "o1", "qualifier": "order"}]},
        {"id": "e2", "type": "place", "time": "2023-01-02T10:00:00+01:00",
         "relationships": [{"objectId": "o2", "qualifier": "order"}]},
    ],
}  # fmt: skip


def seeds() -> dict[str, dict[str, bytes]]:
    """Per fuzz target, its starting inputs by name."""
    ocel = json.dumps(OCEL).encode()
    return {
        "xes": {"seed.xes": XES},
        "ocel": {"seed.jsonocel": ocel},
        "upload": {
            "seed.xes": XES,
            "seed.jsonocel": ocel,
            "seed.xes.gz": gzip.compress(XES, mtime=0),
            "seed.jsonocel.gz": gzip.compress(ocel, mtime=0),
        },
    }
