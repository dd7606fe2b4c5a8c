"""The backup file's sealing: what goes in comes out, and any damage is refused by name."""

from __future__ import annotations

import io
import os

import pytest

from adapters.backup.sealing import (
    HEADER_BYTES,
    TAG_BYTES,
    UNREADABLE,
    BackupUnreadable,
    SealedWriter,
    open_sealed,
)
from domain.shared.secret import Secret

pytestmark = pytest.mark.unit

SEGMENT = 1024
MASTER = Secret(os.urandom(32))


def sealed(plaintext: bytes, master: Secret[bytes] = MASTER) -> bytes:
    out = io.BytesIO()
    writer = SealedWriter(out, master, segment_bytes=SEGMENT)
    for start in range(0, len(plaintext), 700):  # writes that straddle segment boundaries
        writer.write(plaintext[start : start + 700])
    writer.close()
    return out.getvalue()


def opened(data: bytes, master: Secret[bytes] = MASTER) -> bytes:
    return b"".join(open_sealed(io.BytesIO(data), master))


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT, 5000])
def test_what_is_sealed_opens_unchanged(size: int) -> None:
    plaintext = os.urandom(size)

    data = sealed(plaintext)

    assert opened(data) == plaintext
    segments = max(1, -(-size // SEGMENT))
    assert len(data) == HEADER_BYTES + size + segments * TAG_BYTES


def test_two_files_of_the_same_plaintext_share_no_bytes_past_the_magic() -> None:
    plaintext = b"x" * 3000

    first, second = sealed(plaintext), sealed(plaintext)

    assert first[:8] == second[:8] == b"ATLASBAK"
    assert first[HEADER_BYTES:] != second[HEADER_BYTES:]


def _flip(data: bytes, at: int) -> bytes:
    damaged = bytearray(data)
    damaged[at] ^= 0x01
    return bytes(damaged)


def _segments(data: bytes) -> list[bytes]:
    body = data[HEADER_BYTES:]
    size = SEGMENT + TAG_BYTES
    return [body[i : i + size] for i in range(0, len(body), size)]


DATA = sealed(os.urandom(3 * SEGMENT + 100))  # four segments
HEADER, SEGMENTS = DATA[:HEADER_BYTES], _segments(DATA)
DAMAGES = {
    "a bit of the salt": _flip(DATA, 20),
    "a bit of the segment size": _flip(DATA, 12),
    "a bit of a middle segment": _flip(DATA, len(DATA) // 2),
    "a bit of the last tag": _flip(DATA, len(DATA) - 1),
    "cut at a segment boundary": HEADER + b"".join(SEGMENTS[:2]),
    "cut inside a segment": DATA[:-50],
    "cut to the header": HEADER,
    "two segments swapped": HEADER + SEGMENTS[1] + SEGMENTS[0] + b"".join(SEGMENTS[2:]),
    "a segment dropped": HEADER + SEGMENTS[0] + b"".join(SEGMENTS[2:]),
    "a segment repeated": HEADER + SEGMENTS[0] + b"".join(SEGMENTS),
    "bytes appended": DATA + b"more",
    "not a backup at all": b"PGDMP" + os.urandom(500),
    "empty": b"",
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_any_damage_is_refused_with_the_clear_error(damage: str) -> None:
    with pytest.raises(BackupUnreadable) as refused:
        opened(DAMAGES[damage])

    assert UNREADABLE in str(refused.value)


def test_another_master_secret_is_refused_with_the_clear_error() -> None:
    with pytest.raises(BackupUnreadable, match=UNREADABLE):
        opened(DATA, Secret(os.urandom(32)))
