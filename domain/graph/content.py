"""What counts as content rather than metadata; content is dropped before anything is stored.

The promise (ARCHITECTURE.md, providers.md): never store bodies, subjects, message text,
attachments, titles, descriptions or comments. Sources name such fields in many ways
("subject", "email:subject", "email_subject", "subjectLine", "HTMLBody", "message.text"), so
a name is read as words: it is split at every character that is not a letter or a digit
(``:``, ``.``, ``_``, ``-``, ``/``, spaces) and at camelCase boundaries, after Unicode
compatibility folding and case folding. A name is content when one of its words is a content
word, or when a long content word appears anywhere in its letters run together
("emailsubject", "messagebody"): short words ("text", "note", "raw") only count as whole
words, since "context", "notebook" and "withdrawal" are metadata.

One exception: a name whose last word is an identifier or a measure (``message_id``,
``attachment_count``, ``body_size``, ``content_type``) is metadata *about* content, never the
content itself. Everything else that mentions content is dropped: a false positive only
loses a harmless attribute (``jobTitle``, ``has_attachments``), a false negative would break
the promise.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol, TypeVar

AttributeValue = str | int | float | bool | None

# Words that denote content. Whole-word matches; see LONG_CONTENT_WORDS for run-together names.
# Provider spellings count too: Slack keeps message text in "blocks", Jira free text in
# "environment".
CONTENT_WORDS = frozenset(
    {
        "abstract", "attach", "attachment", "attachments", "blocks", "bodies", "body",
        "caption", "comment", "comments", "content", "contents", "desc", "description",
        "descriptions", "environment", "excerpt", "headline", "html", "markdown", "memo",
        "message", "messages", "msg", "note", "notes", "payload", "plaintext", "preview", "raw",
        "remark", "remarks", "richtext", "snippet", "snippets", "subj", "subject", "subjects",
        "summaries", "summary", "text", "texts", "title", "titles", "transcript", "transcripts",
    }
)  # fmt: skip

# Content words found even inside other words: long enough that no metadata name holds them
# by accident (unlike "text" in "context", "note" in "notebook", "title" in "entitlement").
LONG_CONTENT_WORDS = frozenset(
    {
        "attachment", "body", "caption", "comment", "content", "description", "excerpt",
        "headline", "html", "markdown", "message", "payload", "plaintext", "preview",
        "snippet", "subject", "summary", "transcript",
    }
)  # fmt: skip

# A last word that makes the name a fact about content, not the content: kept.
METADATA_SUFFIXES = frozenset({"id", "ids", "count", "length", "size", "type"})

_SEPARATORS = re.compile(r"[\W_]+")
# camelCase and PascalCase words, acronyms ("HTMLBody" -> "HTML", "Body"), digits.
_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+")


def words(name: str) -> list[str]:
    """The words of an attribute name, case-folded."""
    folded = unicodedata.normalize("NFKC", name)
    return [w.casefold() for part in _SEPARATORS.split(folded) for w in _WORDS.findall(part)]


@functools.lru_cache(maxsize=4096)
def is_content(name: str) -> bool:
    found = words(name)
    if not found:
        return False
    if len(found) > 1 and found[-1] in METADATA_SUFFIXES:
        return False
    if any(word in CONTENT_WORDS for word in found):
        return True
    joined = "".join(found)
    return any(word in joined for word in LONG_CONTENT_WORDS)


def metadata_only(attributes: dict[str, AttributeValue]) -> tuple[dict[str, AttributeValue], int]:
    """The attributes minus any that denote content, and how many were dropped."""
    if not _any_content(tuple(attributes)):
        return attributes, 0  # the usual case, decided once per set of names
    kept = {name: value for name, value in attributes.items() if not is_content(name)}
    return kept, len(attributes) - len(kept)


class Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=Named)


def named_metadata_only(items: Iterable[N]) -> tuple[tuple[N, ...], int]:
    """Named values (an entity's attributes, a type's declared attributes) minus any whose name
    denotes content, and how many were dropped."""
    given = tuple(items)
    if not _any_content(tuple(item.name for item in given)):
        return given, 0
    kept = tuple(item for item in given if not is_content(item.name))
    return kept, len(given) - len(kept)


@functools.lru_cache(maxsize=4096)
def _any_content(names: tuple[str, ...]) -> bool:
    return any(is_content(name) for name in names)
