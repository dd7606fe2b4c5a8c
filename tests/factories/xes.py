"""XES documents for tests: written from plain values, and random ones that collide on purpose."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from hypothesis import strategies as st

# (key, tag, value) of an attribute; an event is its attributes, a trace its own and its events.
Attribute = tuple[str, str, str]
Trace = tuple[list[Attribute], list[list[Attribute]]]

NAMES = ["173688", "173691", "case 3", "Ünïcode"]  # few, so that traces repeat a name
TYPES = ["A_SUBMITTED", "W_Completeren aanvraag", "O_SENT", "A_DECLINED"]
RESOURCES = ["112", "10862", "Ärzte & Co"]
TIMES = [
    "2011-10-01T00:38:44.546+02:00",
    "2011-10-01T00:38:44.546+02:00",  # ties in time are common: the position decides
    "2011-09-30T22:38:44.546Z",  # the same instant, spelled in UTC
    "2011-10-01T00:39:37.906",  # no offset: read as UTC
    "2011-10-03T11:36:46.437-05:00",
    "2012-01-01T00:00:00.000001+14:00",
    "1969-12-31T23:59:59.999999Z",  # just before the epoch
]


def xes(traces: list[Trace]) -> bytes:
    def element(tag: str, key: str, value: str) -> str:
        return f"<{tag} key={quoteattr(key)} value={quoteattr(value)}/>"

    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<log xmlns="http://www.xes-standard.org/">']
    lines.append('<global scope="event"><string key="concept:name" value="UNKNOWN"/></global>')
    for attributes, events in traces:
        lines.append("<trace>")
        lines += [element(tag, key, value) for key, tag, value in attributes]
        for event in events:
            lines.append("<event>")
            lines += [element(tag, key, value) for key, tag, value in event]
            lines.append("</event>")
        lines.append("</trace>")
    lines.append("</log>")
    return "\n".join(lines).encode()


@st.composite
def events(draw: st.DrawFn) -> list[Attribute]:
    event = [
        ("concept:name", "string", draw(st.sampled_from(TYPES))),
        ("time:timestamp", "date", draw(st.sampled_from(TIMES))),
    ]
    if draw(st.booleans()):
        event.append(("org:resource", "string", draw(st.sampled_from(RESOURCES))))
    if draw(st.booleans()):
        transition = draw(st.sampled_from(["COMPLETE", "START", "SCHEDULE"]))
        event.append(("lifecycle:transition", "string", transition))
    if draw(st.booleans()):
        event.append(("cost", "int", str(draw(st.integers(-5, 5)))))
    if draw(st.booleans()):
        event.append(("email:subject", "string", "CANARY"))  # content: never stored
    return draw(st.permutations(event))


@st.composite
def traces(draw: st.DrawFn) -> Trace:
    attributes = [("concept:name", "string", draw(st.sampled_from(NAMES)))]
    if draw(st.booleans()):
        attributes.append(("AMOUNT_REQ", "int", str(draw(st.integers(0, 50_000)))))
    return attributes, draw(st.lists(events(), max_size=5))


logs = st.lists(traces(), min_size=1, max_size=6)
