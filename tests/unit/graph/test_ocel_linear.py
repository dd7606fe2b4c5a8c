"""The OCEL reader's work is linear in its input however the input is chunked (attack findings,
item 2): counted in characters scanned, never in seconds."""

from __future__ import annotations

import json

import pytest

from adapters.importers.ocel import OcelReader
from domain.graph.errors import ImportMalformed

# Each byte is examined a bounded number of times: once as whitespace or by the decoder, and
# again only while an incomplete token waits for its bytes to double (a geometric series).
BOUND = 6


def _feed(reader: OcelReader, data: bytes, chunk: int) -> int:
    events = 0
    for at in range(0, len(data), chunk):
        events += sum(len(b.activities) for b in reader.feed(data[at : at + chunk]))
    events += sum(len(b.activities) for b in reader.close())
    return events


def _event(n: int) -> dict[str, object]:
    return {"id": f"e{n}", "type": "Create", "time": "2024-01-01T00:00:00Z", "attributes": [],
            "relationships": [{"objectId": "o1", "qualifier": "case"}]}  # fmt: skip


def test_a_run_of_spaces_across_many_chunks_is_scanned_once() -> None:
    data = b'{"objects":[' + b" " * (4 << 20) + b"]}"
    reader = OcelReader("case")

    _feed(reader, data, chunk=1024)

    assert reader.scanned <= BOUND * len(data)


@pytest.mark.parametrize("chunk", [7, 64, 4096])
def test_whitespace_between_elements_and_tiny_chunks_stay_linear(chunk: int) -> None:
    objects = [{"id": "o1", "type": "case", "attributes": []}]
    spaced = (b"," + b" \n" * 20_000).join(json.dumps(_event(n)).encode() for n in range(20))
    data = (
        b'{"objectTypes":[{"name":"case","attributes":[]}],"objects":'
        + json.dumps(objects).encode()
        + b',"events":['
        + spaced
        + b"]}"
    )
    reader = OcelReader("case")

    events = _feed(reader, data, chunk)

    assert events == 20
    assert reader.scanned <= BOUND * len(data)


def test_one_large_element_arriving_in_small_chunks_is_not_decoded_again_and_again() -> None:
    big = {"id": "o1", "type": "case", "attributes": [
        {"name": f"a{n}", "value": "x" * 40, "time": "2024-01-01T00:00:00Z"} for n in range(4000)
    ]}  # fmt: skip
    data = b'{"objects":[' + json.dumps(big).encode() + b"]}"
    reader = OcelReader("case", max_element=1 << 21)

    _feed(reader, data, chunk=16)

    assert reader.scanned <= BOUND * len(data)


def test_a_key_that_is_not_a_string_is_malformed_not_a_crash() -> None:
    reader = OcelReader("case")

    with pytest.raises(ImportMalformed):
        _feed(reader, b"{[1]:[]}", chunk=3)
