"""hypothesis-jsonschema 0.23.1 (its latest release) on the Hypothesis the project pins (6.170),
fast enough for Slack's large schemas on a shared machine.

Its object strategy drives Hypothesis's ``many`` the old way, ``while elements.more()``;
Hypothesis now makes ``many`` a context manager iterated with ``for``. And it builds each
property's strategy anew at every draw (canonicalising and merging the subschema each time:
seconds per Slack answer). ``bridged()``, while a test module draws, gives the strategy the old
``many`` interface over the new one and remembers the strategy built for each (sub)schema;
a strategy is a pure function of its schema, so reusing one changes nothing drawn.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from hypothesis.internal.conjecture import utils as conjecture_utils
from hypothesis_jsonschema import _from_schema
from hypothesis_jsonschema._encode import encode_canonical_json

_BUILDERS = ("merged_as_strategies", "__from_schema")


class _OldMany:
    def __init__(self, data: Any, **sizes: Any) -> None:
        self._many = conjecture_utils.many(data, **sizes)
        self._steps: Iterator[None] | None = None

    def more(self) -> bool:
        if self._steps is None:
            self._steps = iter(self._many.__enter__())
        try:
            next(self._steps)
        except StopIteration:
            self._many.__exit__(None, None, None)
            return False
        return True

    def reject(self) -> None:
        self._many.reject()


def _remembered(build: Callable[..., Any]) -> Callable[..., Any]:
    built: dict[tuple[str, int, int], Any] = {}

    def remembered(schema: Any, *, alphabet: Any, custom_formats: Any) -> Any:
        key = (encode_canonical_json(schema), id(alphabet), id(custom_formats))
        if key not in built:
            built[key] = build(schema, alphabet=alphabet, custom_formats=custom_formats)
        return built[key]

    return remembered


@contextmanager
def bridged() -> Iterator[None]:
    module = vars(_from_schema)
    originals = {name: module[name] for name in ("cu", *_BUILDERS)}
    module["cu"] = types.SimpleNamespace(**{**vars(conjecture_utils), "many": _OldMany})
    for name in _BUILDERS:
        module[name] = _remembered(originals[name])
    try:
        yield
    finally:
        module.update(originals)
