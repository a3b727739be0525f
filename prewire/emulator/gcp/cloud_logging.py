"""The Cloud Logging half of the GCP fake: `entries:list` over seeded entries.

The filter language is evaluated for the subset prewire writes, and anything else is refused,
never guessed: comparisons `field="v"`, `field:"v"` (has), `field>="v"`, `field<="v"` on dotted
paths, combined with AND, OR and parentheses. Timestamps compare as RFC 3339 strings, as the
responders write them (UTC, `Z`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from prewire.emulator.gcp.compute import GcpError

Json = dict[str, Any]
TOKEN = re.compile(r'\s*(\(|\)|AND\b|OR\b|[A-Za-z_][\w.]*\s*(?:>=|<=|=|:)\s*"[^"]*")')
COMPARISON = re.compile(r'^([\w.]+)\s*(>=|<=|=|:)\s*"([^"]*)"$')
PAGE_SIZE = 50


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    while position < len(text.rstrip()):
        found = TOKEN.match(text, position)
        if found is None:
            raise GcpError(
                400, "INVALID_ARGUMENT", f"the fake does not parse filter at {text[position:]!r}"
            )
        tokens.append(found.group(1).strip())
        position = found.end()
    return tokens


def _value(entry: Json, path: str) -> Any:
    current: Any = entry
    for part in path.split("."):
        current = current.get(part) if isinstance(current, dict) else None
    return current


def _holds(entry: Json, comparison: str) -> bool:
    found = COMPARISON.match(comparison)
    assert found is not None
    path, operator, expected = found.groups()
    actual = _value(entry, path)
    if actual is None:
        return False
    text = str(actual)
    return {
        "=": text == expected,
        ":": expected in text,
        ">=": text >= expected,
        "<=": text <= expected,
    }[operator]


class _Parser:
    """filter := term (OR term)*; term := factor (AND factor)*; factor := (filter) | comparison"""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.index = tokens, 0

    def _peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def parse(self, entry: Json) -> bool:
        self.index = 0
        result = self._or(entry)
        if self._peek() is not None:
            raise GcpError(400, "INVALID_ARGUMENT", f"unexpected {self._peek()!r} in filter")
        return result

    def _or(self, entry: Json) -> bool:
        result = self._and(entry)
        while self._peek() == "OR":
            self.index += 1
            right = self._and(entry)
            result = result or right
        return result

    def _and(self, entry: Json) -> bool:
        result = self._factor(entry)
        while self._peek() == "AND":
            self.index += 1
            right = self._factor(entry)
            result = result and right
        return result

    def _factor(self, entry: Json) -> bool:
        item = self._peek()
        if item is None:
            raise GcpError(400, "INVALID_ARGUMENT", "filter ends early")
        self.index += 1
        if item == "(":
            result = self._or(entry)
            if self._peek() != ")":
                raise GcpError(400, "INVALID_ARGUMENT", "unbalanced parentheses in filter")
            self.index += 1
            return result
        return _holds(entry, item)


def matches(expression: str, entry: Json) -> bool:
    """Whether `entry` passes a filter (the same evaluator serves Security Command Center's
    notification filters, which use the same comparisons)."""
    parser = _Parser(_tokens(expression))
    return not parser.tokens or parser.parse(entry)


@dataclass
class LoggingState:
    entries: list[Json] = field(default_factory=list)

    def list_entries(self, body: Json) -> Json:
        parser = _Parser(_tokens(str(body.get("filter") or "")))
        names = [str(n) for n in body.get("resourceNames") or []]
        matched = [
            e
            for e in self.entries
            if any(str(e.get("logName", "")).startswith(f"{n}/logs/") for n in names)
            and (not parser.tokens or parser.parse(e))
        ]
        descending = str(body.get("orderBy", "")).endswith("desc")
        matched.sort(key=lambda e: str(e.get("timestamp")), reverse=descending)
        size = min(int(body.get("pageSize") or PAGE_SIZE), PAGE_SIZE)
        start = int(body.get("pageToken") or 0)
        page: Json = {"entries": matched[start : start + size]}
        if start + size < len(matched):
            page["nextPageToken"] = str(start + size)
        return page
