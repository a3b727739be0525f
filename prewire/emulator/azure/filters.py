"""The OData `$filter` expressions and JSON merge-patch the fake applies, as ARM does."""

from __future__ import annotations

import copy
import re
from datetime import datetime

from prewire.emulator.azure.replies import ArmError, Json


def merge(base: Json, patch: Json) -> Json:
    merged = copy.deepcopy(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_EQ = re.compile(r"(\w+)\s+eq\s+'([^']*)'", re.IGNORECASE)


def filtered(items: list[Json], expression: str) -> list[Json]:
    """`$filter=principalId eq '...'` (role assignments) and `atScope()`."""
    for key, value in _EQ.findall(expression):
        if key.lower() == "principalid":
            items = [i for i in items if i.get("properties", {}).get("principalId") == value]
    return items


def resource_filtered(items: list[Json], expression: str) -> list[Json]:
    """The resource list's filter: tagName/tagValue and resourceType equality."""
    conditions = {k.lower(): v for k, v in _EQ.findall(expression)}
    if "tagname" in conditions:
        name = conditions["tagname"]
        items = [i for i in items if name in (i.get("tags") or {})]
        if "tagvalue" in conditions:
            items = [i for i in items if (i.get("tags") or {}).get(name) == conditions["tagvalue"]]
    if "resourcetype" in conditions:
        items = [i for i in items if i["type"].lower() == conditions["resourcetype"].lower()]
    return items


_TIME_BOUND = re.compile(r"eventTimestamp\s+(ge|le)\s+'([^']+)'", re.IGNORECASE)


def activity_filtered(events: list[Json], expression: str) -> list[Json]:
    """The Activity Log filter: a time window (required by Azure) and resourceUri/resourceId."""
    bounds = dict(_TIME_BOUND.findall(expression))
    if "ge" not in {k.lower() for k in bounds}:
        raise ArmError(400, "BadRequest", "The $filter must contain eventTimestamp ge '...'")
    conditions = {k.lower(): v for k, v in _EQ.findall(expression)}
    resource = conditions.get("resourceuri") or conditions.get("resourceid")
    group = conditions.get("resourcegroupname")
    start = _instant(bounds.get("ge") or bounds.get("GE", ""))
    end = _instant(bounds.get("le") or bounds.get("LE", "")) if bounds.get("le") else None
    found = []
    for event in events:
        when = _instant(event["eventTimestamp"])
        if when < start or (end and when > end):
            continue
        if resource and event["resourceId"].lower() != resource.lower():
            continue
        if group and (event.get("resourceGroupName") or "").lower() != group.lower():
            continue
        found.append(event)
    return found


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
