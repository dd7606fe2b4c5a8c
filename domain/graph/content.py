"""What counts as content rather than metadata; content is dropped before anything is stored."""

from __future__ import annotations

import functools

AttributeValue = str | int | float | bool | None

# Final name segments that denote message content, not metadata ("email:subject" -> "subject").
CONTENT_NAMES = frozenset(
    {
        "body",
        "body_html",
        "body_text",
        "content",
        "html",
        "message",
        "message_text",
        "preview",
        "snippet",
        "subject",
        "text",
        "transcript",
    }
)


@functools.lru_cache(maxsize=4096)
def is_content(name: str) -> bool:
    return name.lower().rsplit(":", 1)[-1].strip() in CONTENT_NAMES


def metadata_only(attributes: dict[str, AttributeValue]) -> tuple[dict[str, AttributeValue], int]:
    """The attributes minus any that denote content, and how many were dropped."""
    if not _any_content(tuple(attributes)):
        return attributes, 0  # the usual case, decided once per set of names
    kept = {name: value for name, value in attributes.items() if not is_content(name)}
    return kept, len(attributes) - len(kept)


@functools.lru_cache(maxsize=4096)
def _any_content(names: tuple[str, ...]) -> bool:
    return any(is_content(name) for name in names)
