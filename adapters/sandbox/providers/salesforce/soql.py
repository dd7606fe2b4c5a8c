"""A small SOQL reader for the query shapes Atlas sends, with Salesforce's errors for the rest.

Supported: ``SELECT f, ... FROM Object [WHERE c AND c ...] [ORDER BY f [ASC|DESC], ...]
[LIMIT n]`` where a condition is ``field op literal`` or ``field IN (literal, ...)``. Datetime
literals are unquoted ISO-8601, as in SOQL; a quoted one is refused like Salesforce refuses it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?"
    r"(?:Z|[+-]\d{2}:?\d{2}))|(?P<date>\d{4}-\d{2}-\d{2})|(?P<num>-?\d+(?:\.\d+)?)"
    r"|(?P<op><=|>=|!=|<>|=|<|>)|(?P<punct>[(),])|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"
)
OPERATORS = {"=", "!=", "<>", "<", "<=", ">", ">="}


class SoqlError(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Condition:
    field: str
    op: str
    value: Any  # a literal, or a tuple of literals for IN
    quoted: bool


@dataclass(frozen=True)
class Query:
    fields: tuple[str, ...]
    sobject: str
    where: tuple[Condition, ...]
    order: tuple[tuple[str, bool], ...]  # (field, descending)
    limit: int | None


def parse(text: str) -> Query:
    tokens = _tokenize(text)
    reader = _Reader(tokens)
    reader.expect_word("SELECT")
    fields = [reader.word()]
    while reader.take(","):
        fields.append(reader.word())
    reader.expect_word("FROM")
    sobject = reader.word()
    where = _where(reader) if reader.take_word("WHERE") else ()
    order: list[tuple[str, bool]] = []
    if reader.take_word("ORDER"):
        reader.expect_word("BY")
        order.append(_order_item(reader))
        while reader.take(","):
            order.append(_order_item(reader))
    limit = int(reader.literal()[0]) if reader.take_word("LIMIT") else None
    if not reader.done():
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: {reader.peek()}")
    return Query(tuple(fields), sobject, where, tuple(order), limit)


def _where(reader: _Reader) -> tuple[Condition, ...]:
    conditions = [_condition(reader)]
    while reader.take_word("AND"):
        conditions.append(_condition(reader))
    if reader.peek_word() == "OR":
        raise SoqlError("MALFORMED_QUERY", "OR is not supported by the sandbox")
    return tuple(conditions)


def _condition(reader: _Reader) -> Condition:
    field = reader.word()
    if reader.take_word("IN"):
        reader.expect("(")
        values = [reader.literal()]
        while reader.take(","):
            values.append(reader.literal())
        reader.expect(")")
        return Condition(field, "IN", tuple(v for v, _ in values), any(q for _, q in values))
    op = reader.next()
    if op not in OPERATORS:
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: {op}")
    value, quoted = reader.literal()
    return Condition(field, "!=" if op == "<>" else op, value, quoted)


def _order_item(reader: _Reader) -> tuple[str, bool]:
    field = reader.word()
    if reader.take_word("DESC"):
        return field, True
    reader.take_word("ASC")
    return field, False


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise SoqlError("MALFORMED_QUERY", f"unexpected character at {position}")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Reader:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self._tokens, self._at = tokens, 0

    def done(self) -> bool:
        return self._at >= len(self._tokens)

    def peek(self) -> str:
        return self._tokens[self._at][1] if not self.done() else ""

    def peek_word(self) -> str:
        return (
            self.peek().upper() if not self.done() and self._tokens[self._at][0] == "word" else ""
        )

    def next(self) -> str:
        if self.done():
            raise SoqlError("MALFORMED_QUERY", "unexpected end of query")
        self._at += 1
        return self._tokens[self._at - 1][1]

    def word(self) -> str:
        if self.done() or self._tokens[self._at][0] != "word":
            raise SoqlError("MALFORMED_QUERY", f"expected a name, found {self.peek() or 'end'}")
        return self.next()

    def take(self, punct: str) -> bool:
        if self.peek() == punct:
            self._at += 1
            return True
        return False

    def take_word(self, word: str) -> bool:
        if self.peek_word() == word:
            self._at += 1
            return True
        return False

    def expect(self, punct: str) -> None:
        if not self.take(punct):
            raise SoqlError("MALFORMED_QUERY", f"expected {punct}")

    def expect_word(self, word: str) -> None:
        if not self.take_word(word):
            raise SoqlError("MALFORMED_QUERY", f"expected {word}")

    def literal(self) -> tuple[Any, bool]:
        if self.done():
            raise SoqlError("MALFORMED_QUERY", "expected a value")
        kind, raw = self._tokens[self._at]
        self._at += 1
        if kind == "str":
            return raw[1:-1].replace("\\'", "'"), True
        if kind == "dt":
            return _datetime(raw), False
        if kind == "date":
            return date.fromisoformat(raw), False
        if kind == "num":
            return (float(raw) if "." in raw else int(raw)), False
        if kind == "word" and raw.upper() in ("TRUE", "FALSE", "NULL"):
            return {"TRUE": True, "FALSE": False, "NULL": None}[raw.upper()], False
        raise SoqlError("MALFORMED_QUERY", f"unexpected token: {raw}")


def _datetime(raw: str) -> datetime:
    value = raw.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", value):
        value = value[:-2] + ":" + value[-2:]
    return datetime.fromisoformat(value).astimezone(UTC)
