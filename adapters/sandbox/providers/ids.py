"""Provider-shaped identifiers derived from seeded keys: stable, distinct, and realistic-looking."""

from __future__ import annotations

import hashlib
import uuid
from functools import lru_cache

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

SALESFORCE_ORG = "00D5g00000AtLas"
SALESFORCE_PREFIXES = {
    "Account": "001",
    "Contact": "003",
    "User": "005",
    "Opportunity": "006",
    "OpportunityHistory": "008",
    "Task": "00T",
    "Event": "00U",
}


def _digest(*parts: object) -> bytes:
    return hashlib.sha256("|".join(map(str, parts)).encode()).digest()


def _base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = _BASE62[r] + out
    return out.rjust(width, "0")[-width:]


@lru_cache(maxsize=1 << 18)  # every SOQL query renders its whole table: ids are asked often
def salesforce_id(sobject: str, key: int) -> str:
    """An 18-character id: key prefix, pod, and the case-safe checksum suffix Salesforce adds."""
    base = SALESFORCE_PREFIXES[sobject] + "5g0" + _base62(key + 1_000_000, 9)
    return base + salesforce_suffix(base)


def salesforce_suffix(id15: str) -> str:
    suffix = ""
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, char in enumerate(chunk) if "A" <= char <= "Z")
        suffix += _SF_SUFFIX[bits]
    return suffix


def numeric(kind: str, key: int, base: int) -> str:
    return str(base + key)


def hex_id(kind: str, key: int, length: int = 16) -> str:
    value = _digest(kind, key).hex()[:length]
    return ("1" + value[1:]) if value[0] == "0" else value


def slack_id(prefix: str, key: int) -> str:
    return prefix + _base62(int.from_bytes(_digest("slack", prefix, key)[:8]), 10).upper()


def calendar_event_id(key: int) -> str:
    # Google event ids use base32hex (0-9, a-v).
    alphabet = "0123456789abcdefghijklmnopqrstuv"
    n = int.from_bytes(_digest("event", key)[:16])
    return "".join(alphabet[(n >> (5 * i)) & 31] for i in range(26))


def atlassian_account(key: int) -> str:
    return "712020:" + str(uuid.UUID(bytes=_digest("atlassian", key)[:16]))


def stable_uuid(*parts: object) -> str:
    return str(uuid.UUID(bytes=_digest(*parts)[:16]))
