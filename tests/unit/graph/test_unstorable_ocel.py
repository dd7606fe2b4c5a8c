"""OCEL text no store can hold is refused as an invalid value, naming its element (attack
findings, item 4): a lone surrogate, which the id fingerprint cannot encode as UTF-8 (the import
job failed and was retried as if the server were at fault), and a type name longer than the
graph's catalog holds (the database's check refused it)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.importers.formats import SniffingParser
from domain.graph.errors import ImportInvalidValue


def _read(data: bytes) -> int:
    parser = SniffingParser(scope="sha256:x", object_type="case", max_inflated=1 << 20)
    batches = [
        b for start in range(0, len(data), 64) for b in parser.feed(data[start : start + 64])
    ]
    return sum(len(batch.entities) + len(batch.activities) for batch in batches + parser.close())


def _log(object_id: str = "o1", object_type: str = "order", key: str = "amount") -> bytes:
    return json.dumps({
        "objectTypes": [{"name": object_type, "attributes": []}],
        "objects": [{"id": object_id, "type": object_type}],
        "events": [{
            "id": "e1", "type": "placed", "time": "2026-01-15T09:30:00Z",
            "attributes": [{"name": key, "value": 1.5}],
            "relationships": [{"objectId": object_id, "qualifier": ""}],
        }],
    }).encode()  # fmt: skip


@pytest.mark.parametrize(("log", "element"), [
    ({"object_id": "\ud800x"}, "objects[0]"),
    ({"object_id": "x\udfff"}, "objects[0]"),
    ({"object_type": "\ud800"}, "objectTypes[0]"),
    ({"key": "a\udbff"}, "events[0]"),
])  # fmt: skip
def test_a_lone_surrogate_is_refused_with_its_element(log: dict[str, Any], element: str) -> None:
    with pytest.raises(ImportInvalidValue) as refused:
        _read(_log(**log))

    assert refused.value.details["element"] == element
    assert "surrogate" in refused.value.message


def test_a_surrogate_pair_is_a_character_and_is_imported() -> None:
    escaped = _log(object_id="order \U0001f600")

    assert b"\\ud83d\\ude00" in escaped  # the encoder wrote the pair as two escapes
    assert _read(escaped) == 2


def test_a_type_name_longer_than_the_catalog_holds_is_refused() -> None:
    assert _read(_log(object_type="t" * 200)) == 2
    with pytest.raises(ImportInvalidValue) as refused:
        _read(_log(object_type="t" * 201))

    assert refused.value.details["element"] == "objectTypes[0].name"
