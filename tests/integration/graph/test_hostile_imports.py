"""Malformed and hostile files are refused with a stable code and context, changing nothing."""

from __future__ import annotations

import gzip
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.importers import xes
from application.graph.importing import ImportOptions
from domain.graph.errors import (
    ImportForbiddenMarkup,
    ImportInvalidValue,
    ImportMalformed,
    ImportOverLimit,
    ImportTooLarge,
    UnknownEntity,
    UnsupportedFormat,
)
from domain.graph.process_map import MapQuery
from domain.shared.errors import DomainError, Invalid
from tests.factories.event_logs import shared_data
from tests.factories.graph import BytesSource
from tests.integration.graph.conftest import MAX_BYTES, Graph

DATA = shared_data()
HELPDESK = gzip.decompress((DATA / "helpdesk.xes.gz").read_bytes())
OCEL = json.loads((DATA / "ocel20_example.jsonocel").read_bytes())

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE log [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<log xmlns="http://www.xes-standard.org/"><trace><string key="concept:name" value="&lol9;"/>
</trace></log>"""

EXTERNAL = b"""<?xml version="1.0"?>
<!DOCTYPE log [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<log xmlns="http://www.xes-standard.org/"><trace><string key="concept:name" value="&secret;"/>
</trace></log>"""


def _xes(events: str) -> bytes:
    return (
        '<?xml version="1.0"?>\n<log xmlns="http://www.xes-standard.org/">\n<trace>\n'
        f'<string key="concept:name" value="c1"/>\n{events}\n</trace>\n</log>\n'
    ).encode()


GOOD_EVENT = (
    '<event><string key="concept:name" value="A"/>'
    '<date key="time:timestamp" value="2024-01-01T00:00:00+00:00"/></event>'
)


def _ocel(**changes: Any) -> bytes:
    return json.dumps(OCEL | changes).encode()


async def _refused(graph: Graph, data: bytes, error: type[DomainError], **kw: Any) -> DomainError:
    actor = await graph.actor()
    with pytest.raises(error) as caught:
        await graph.importer(**kw).execute(actor, BytesSource(data), ImportOptions())
    async with graph.uow_for(actor.scope) as uow:  # the graph is exactly as it was: empty
        assert await uow.entities.all() == []
        assert await uow.activities.window(None, None) == []
    assert (await graph.maps.compute(actor.scope, MapQuery(object_type="case"))).objects == 0
    return caught.value


async def test_a_truncated_log_is_refused_after_a_written_batch(graph: Graph) -> None:
    cut = HELPDESK[: int(len(HELPDESK) * 0.97)]  # past the first 20,000-event batch

    error = await _refused(graph, cut, ImportMalformed)

    assert error.details["line"] > 100_000


async def test_a_truncated_gzip_is_refused(graph: Graph) -> None:
    packed = gzip.compress(HELPDESK)

    await _refused(graph, packed[: len(packed) // 2], ImportMalformed)


async def test_billion_laughs_is_refused_before_any_expansion(graph: Graph) -> None:
    error = await _refused(graph, LAUGHS, ImportForbiddenMarkup)

    assert error.code == "graph.import_forbidden_markup"
    assert error.details["line"] == 2


async def test_external_entities_are_refused(graph: Graph) -> None:
    await _refused(graph, EXTERNAL, ImportForbiddenMarkup)


@pytest.mark.parametrize(
    ("event", "element"),
    [
        ('<event><string key="concept:name" value="A"/><int key="n" value="x"/>'
         '<date key="time:timestamp" value="2024-01-01T00:00:00Z"/></event>', "n"),
        ('<event><string key="concept:name" value="A"/></event>', "event"),
        ('<event><string key="concept:name" value="A"/>'
         '<date key="time:timestamp" value="yesterday"/></event>', "time:timestamp"),
    ],
)  # fmt: skip
async def test_wrong_xes_values_name_their_line_and_element(
    graph: Graph, event: str, element: str
) -> None:
    error = await _refused(graph, _xes(GOOD_EVENT + "\n" + event), ImportInvalidValue)

    assert (error.details["line"], error.details["element"]) == (6, element)


async def test_wrong_ocel_types_name_their_element(graph: Graph) -> None:
    events = [OCEL["events"][0], {**OCEL["events"][1], "time": 5}]

    error = await _refused(graph, _ocel(events=events), ImportInvalidValue)

    assert error.details["element"] == "events[1].time"
    assert error.details["line"] == 1


async def test_truncated_or_invalid_ocel_json_is_refused(graph: Graph) -> None:
    whole = _ocel()
    await _refused(graph, whole[: len(whole) - 40], ImportMalformed)
    await _refused(graph, whole.replace(b'"events"', b'"events" [', 1), ImportMalformed)


async def test_an_event_linking_an_unknown_object_is_refused(graph: Graph) -> None:
    event = {**OCEL["events"][0], "relationships": [{"objectId": "nope", "qualifier": ""}]}

    await _refused(graph, _ocel(events=[event]), UnknownEntity)


async def test_a_decompression_bomb_stops_at_the_ceiling(graph: Graph) -> None:
    bomb = gzip.compress(_xes("") + b" " * (8 << 20))

    await _refused(graph, bomb, ImportTooLarge, max_inflated=4 << 20)


async def test_an_oversized_json_element_is_refused(graph: Graph) -> None:
    event = {**OCEL["events"][0], "attributes": [{"name": "x", "value": "y" * (2 << 20)}]}

    await _refused(graph, _ocel(events=[event]), ImportTooLarge)


async def test_other_formats_are_refused(graph: Graph) -> None:
    await _refused(graph, b"id,activity,time\n1,A,2024", UnsupportedFormat)
    await _refused(graph, b'<?xml version="1.0"?><log><object-types/></log>', ImportInvalidValue)
    await _refused(graph, b"", ImportMalformed)


async def test_a_file_over_the_limit_is_refused_before_reading(graph: Graph) -> None:
    actor = await graph.actor()
    source = BytesSource(b"{}")
    source.size = MAX_BYTES + 1

    with pytest.raises(ImportTooLarge):
        await graph.importer().execute(actor, source, ImportOptions())


async def test_a_nul_character_is_refused_not_stored(graph: Graph) -> None:
    event = {**OCEL["events"][0], "attributes": [{"name": "x", "value": "a\u0000b"}]}

    error = await _refused(graph, _ocel(events=[event]), ImportInvalidValue)

    assert error.details["element"] == "events[0]"


def _event(**changes: Any) -> dict[str, Any]:
    return {**OCEL["events"][0], **changes}


async def test_an_integer_too_long_to_read_is_refused_with_its_element(graph: Graph) -> None:
    huge = _ocel(events=[_event(attributes=[{"name": "n", "value": 0}])]).replace(
        b'"value": 0', b'"value": ' + b"7" * 5000, 1
    )

    error = await _refused(graph, huge, ImportInvalidValue)

    assert error.details["element"] == "events[0]"


async def test_arrays_nested_without_end_are_refused_with_their_element(graph: Graph) -> None:
    deep = _ocel(events=[_event(attributes="NEST")]).replace(
        b'"NEST"', b"[" * 200_000 + b"]" * 200_000, 1
    )

    error = await _refused(graph, deep, ImportMalformed)

    assert error.details["element"] == "events[0]"


@pytest.mark.parametrize("constant", [b"NaN", b"Infinity", b"-Infinity"])
async def test_json_without_numbers_for_numbers_is_refused(graph: Graph, constant: bytes) -> None:
    log = _ocel(events=[_event(attributes=[{"name": "n", "value": 0}])]).replace(
        b'"value": 0', b'"value": ' + constant, 1
    )

    await _refused(graph, log, ImportMalformed)


@pytest.mark.parametrize(
    ("changes", "element"),
    [
        ({"events": [_event(time="0001-01-01T00:00:00+01:00")]}, "events[0].time"),
        ({"events": [_event(time="9999-12-31T23:59:59-01:00")]}, "events[0].time"),
        (
            {"objects": [{**OCEL["objects"][0], "attributes": [
                {"name": "x", "time": "0001-01-01T00:00:00+14:00", "value": 1}]}]},
            "objects[0].attributes[0].time",
        ),
    ],
)  # fmt: skip
async def test_ocel_times_beyond_the_range_of_times_are_refused(
    graph: Graph, changes: dict[str, Any], element: str
) -> None:
    error = await _refused(graph, _ocel(**changes), ImportInvalidValue)

    assert error.details["element"] == element


@pytest.mark.parametrize("value", ["NaN", "inf", "-Infinity"])
async def test_an_xes_float_that_is_not_a_number_is_refused(graph: Graph, value: str) -> None:
    event = GOOD_EVENT.replace("</event>", f'<float key="cost" value="{value}"/></event>')

    error = await _refused(graph, _xes(event), ImportInvalidValue)

    assert error.details["element"] == "cost"


_TIMES = st.one_of(
    st.datetimes(timezones=st.none() | st.integers(-1439, 1439).map(
        lambda m: timezone(timedelta(minutes=m)))).map(datetime.isoformat),
    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59.999999-14:00", "", "x"]),
    st.integers(),
)  # fmt: skip
_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5),
    st.lists(st.integers(), max_size=2), st.sampled_from(["HUGE", "DEEP", "NAN"]),
)  # fmt: skip
_RAW = {b'"HUGE"': b"9" * 4400, b'"DEEP"': b"[" * 5000 + b"]" * 5000, b'"NAN"': b"NaN"}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(time=_TIMES, value=_VALUES, attribute_time=_TIMES)
async def test_any_event_is_imported_or_refused_as_invalid(
    graph: Graph, time: Any, value: Any, attribute_time: Any
) -> None:
    obj = {**OCEL["objects"][0], "attributes": [{"name": "x", "time": attribute_time, "value": 1}]}
    event = _event(time=time, attributes=[{"name": "n", "value": value}])
    data = _ocel(objects=[obj, *OCEL["objects"][1:]], events=[event])
    for placeholder, raw in _RAW.items():
        data = data.replace(placeholder, raw)
    actor = await graph.actor()
    refusal: DomainError | None = None

    try:
        await graph.importer().execute(actor, BytesSource(data), ImportOptions())
    except DomainError as error:  # anything else, an OverflowError say, fails the test
        refusal = error

    assert refusal is None or isinstance(refusal, Invalid), refusal.code  # a 422, never a 500


async def test_a_file_past_a_memory_limit_is_refused_after_written_batches(
    graph: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xes, "MAX_TRACE_EVENTS", 3)
    traces = "".join(
        f'<trace><string key="concept:name" value="c{n}"/>{GOOD_EVENT}</trace>\n'
        for n in range(100)  # ~20 KB: many blocks are written, feed after feed, before the last
    )
    data = _xes(GOOD_EVENT * 4).replace(b"<trace>", f"{traces}<trace>".encode(), 1)

    error = await _refused(graph, data, ImportOverLimit, batch_size=10)

    assert (error.code, error.details["limit"]) == ("graph.import_over_limit", 3)
