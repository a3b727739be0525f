"""Exporting CloudWatch Logs events for a window, shared by the cluster and task collectors."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import botocore.exceptions

from responders.aws.case import AwsCase
from responders.aws.session import error_code


def _millis(case: AwsCase) -> tuple[int, int]:
    start, end = case.options.window()
    return int(start.timestamp() * 1000), int(end.timestamp() * 1000)


def filter_events(
    case: AwsCase,
    group: str,
    *,
    stream_prefix: str | None = None,
    streams: Iterable[str] | None = None,
) -> list[dict[str, Any]] | None:
    """All events of `group` in the case window, or None when the group does not exist."""
    start, end = _millis(case)
    params: dict[str, Any] = {"logGroupName": group, "startTime": start, "endTime": end}
    if stream_prefix:
        params["logStreamNamePrefix"] = stream_prefix
    if streams is not None:
        names = list(streams)
        if not names:
            return []
        params["logStreamNames"] = names[:100]
    try:
        pages = case.clients.logs.get_paginator("filter_log_events").paginate(**params)
        return [dict(e) for page in pages for e in page.get("events", [])]
    except botocore.exceptions.ClientError as error:
        if error_code(error) == "ResourceNotFoundException":
            return None
        raise


def as_jsonl(events: list[dict[str, Any]]) -> bytes:
    return "\n".join(json.dumps(e, sort_keys=True, default=str) for e in events).encode()
