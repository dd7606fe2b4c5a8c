"""Every input the fuzzer (``python -m bench fuzz``) found to crash a reader, replayed: each
must now end in a clean refusal (the 4xx the HTTP layer maps) or a clean parse."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from domain.graph.errors import ImportMalformed
from tests.factories.import_reading import CLEAN_REFUSALS, READERS, read

pytestmark = pytest.mark.unit

CORPUS = Path(__file__).resolve().parents[2] / "fuzz_corpus"
KEPT = sorted(p for target in READERS for p in (CORPUS / target).glob("crash-*"))


@pytest.mark.parametrize("path", KEPT, ids=lambda p: f"{p.parent.name}/{p.name[:14]}")
def test_a_kept_crash_is_refused_cleanly_or_read(path: Path) -> None:
    with contextlib.suppress(*CLEAN_REFUSALS):
        read(path.parent.name, path.read_bytes())


def test_the_corpus_is_not_empty() -> None:
    assert KEPT, f"no saved fuzz input under {CORPUS}"


@pytest.mark.parametrize("encoding", ["UTF-6", "UTF-7", "x-no-such-thing", "UTF-32"])
def test_an_xes_declaring_an_encoding_expat_cannot_read_is_refused_as_malformed(
    encoding: str,
) -> None:
    # The fuzzer's first finding: LookupError / ValueError out of expat, a 500 before the fix.
    log = f'<?xml version="1.0" encoding="{encoding}"?><log xmlns="http://www.xes-standard.org/"/>'
    with pytest.raises(ImportMalformed):
        read("xes", log.encode())
