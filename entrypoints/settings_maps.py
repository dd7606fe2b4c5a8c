"""The process-map cache's byte budget (issue 14): ATLAS_MAP_CACHE_BYTES, per API process."""

from __future__ import annotations

from entrypoints.settings_keys import SettingsError

# Zero keeps nothing (every map read from the database); above 64 GiB is surely a typo.
_MAX = 64 << 30


def map_cache_bytes(raw: int) -> int:
    if not 0 <= raw <= _MAX:
        raise SettingsError("ATLAS_MAP_CACHE_BYTES: give a number of bytes from 0 to 68719476736")
    return raw
