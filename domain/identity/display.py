"""Names people chose, shown where they cannot pose as Atlas's own words.

A tenant's name is typed by whoever created it, and an invitation email carries it to someone
else. A name like "ACTION REQUIRED: your password expires, sign in at https://evil.example"
must read as a quoted name, never as an instruction or a link the mail client makes clickable:
so it is quoted, cut short, and anything that looks like an address is defanged
(``evil[.]example``, ``hxxps[://]``, ``name[at]host``), the convention of security notices.
"""

from __future__ import annotations

import re
import unicodedata

DISPLAY_LENGTH = 60
_SCHEME = re.compile(r"(?i)\b(h)tt(ps?)://")
_ANY_SCHEME = re.compile(r"(?<!\[)://")
_DOTTED = re.compile(r"(?<=[\w-])\.(?=[\w-])")


def shown_name(name: str) -> str:
    """The name as a quoted, defanged, single line of at most ``DISPLAY_LENGTH`` characters."""
    visible = "".join(
        c for c in name if not unicodedata.category(c).startswith(("C", "Z")) or c == " "
    )
    line = " ".join(visible.split())
    if len(line) > DISPLAY_LENGTH:
        line = line[: DISPLAY_LENGTH - 1].rstrip() + "…"
    line = _SCHEME.sub(r"\1xx\2[://]", line)
    line = _ANY_SCHEME.sub("[://]", line)
    line = _DOTTED.sub("[.]", line).replace("@", "[at]")
    return f"“{line}”"
