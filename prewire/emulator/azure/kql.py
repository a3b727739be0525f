"""The part of the Kusto query language prewire's log collection uses, evaluated over the
fake's workspace tables, so a wrong table, column or resource id finds nothing, as it would in
Azure. Supported: `Table | where col ==|=~|!= "value" [and ...] | where col in ("a", "b")
| order by col [asc|desc] | take N`. Anything else is refused, never guessed.
"""

from __future__ import annotations

import re
import shlex
from datetime import datetime
from typing import Any

Row = dict[str, Any]


class KqlError(ValueError):
    pass


_CONDITION = re.compile(
    r'^\s*(\w+)\s*(==|=~|!=|in~|in)\s*(\((?:\s*"[^"]*"\s*,?)+\)|"[^"]*")\s*$', re.IGNORECASE
)


def run(
    query: str, tables: dict[str, list[Row]], window: tuple[datetime, datetime] | None
) -> tuple[list[str], list[Row]]:
    """(columns, rows) of `query` over `tables`, restricted to `window` on TimeGenerated."""
    table, *stages = [part.strip() for part in query.split("|")]
    if table not in tables:
        raise KqlError(f"'{table}': table not found")
    rows = list(tables[table])
    if window:
        rows = [r for r in rows if window[0] <= _instant(r.get("TimeGenerated")) <= window[1]]
    for stage in stages:
        words = stage.split(None, 1)
        verb = words[0].lower() if words else ""
        rest = words[1] if len(words) > 1 else ""
        if verb == "where":
            rows = [r for r in rows if all(_holds(r, c) for c in _conjuncts(rest))]
        elif verb == "order" and rest.lower().startswith("by "):
            column, *direction = rest[3:].split()
            descending = bool(direction) and direction[0].lower() == "desc"
            rows.sort(key=lambda r: str(r.get(column, "")), reverse=descending)
        elif verb == "take":
            rows = rows[: int(rest)]
        else:
            raise KqlError(f"the fake does not evaluate '{stage}'")
    columns = list(dict.fromkeys(k for r in tables[table] for k in r))
    return columns, rows


def _conjuncts(text: str) -> list[str]:
    return [part for part in re.split(r"\s+and\s+", text, flags=re.IGNORECASE) if part.strip()]


def _holds(row: Row, condition: str) -> bool:
    match = _CONDITION.match(condition)
    if not match:
        raise KqlError(f"the fake does not evaluate the condition '{condition}'")
    column, operator, literal = match.groups()
    value = str(row.get(column, ""))
    operator = operator.lower()
    if operator.startswith("in"):
        options = [o.strip('"') for o in shlex.split(literal.strip("()").replace(",", " "))]
        if operator == "in~":
            return value.lower() in {o.lower() for o in options}
        return value in options
    expected = literal.strip('"')
    if operator == "==":
        return value == expected
    if operator == "=~":
        return value.lower() == expected.lower()
    return value != expected


def _instant(value: Any) -> datetime:
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
