"""What the Resource Manager half of the fake answers with: ARM errors, replies, long-running
operations and actions."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Json = dict[str, Any]


class ArmError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def body(self) -> Json:
        return {"error": {"code": self.code, "message": self.message}}


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Operation:
    """A long-running operation: `InProgress` for `polls_left` polls, then its outcome."""

    polls_left: int
    result: Json | None = None
    error: ArmError | None = None


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_bytes(reply: Reply) -> bytes:
    return b"" if reply.body is None else json.dumps(reply.body).encode()
