"""Where a drill runs: the embedded emulator or a real (sandbox) account.

The drill's flow (prepare, gate, attack, detect, respond, verify, report) is the same on both;
a target supplies the steps that differ: how the account is prepared and torn down, how a
finding reaches the responder, and how much of the account the "nothing destroyed" inventory
covers.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Any

from prewire.drill.environment import PreparedAccount
from prewire.drill.inventory import Inventory
from prewire.drill.scenarios import Scenario
from prewire.drill.timeline import Timeline
from prewire.report.model import Check

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Detection:
    """The routed event, and whether the stack's rule was shown to route it."""

    event: dict[str, Any]
    routed: str  # held | failed | not-verifiable
    detail: str


class Target(abc.ABC):
    notes: list[str]

    def unsupported(self, scenario: Scenario) -> str | None:
        """Why `scenario` cannot run on this target, or None."""
        return None

    @abc.abstractmethod
    def prepare(self, drill_id: str, timeline: Timeline, progress: Progress) -> PreparedAccount:
        """The readiness stack in place and a victim to attack, each a timeline step."""

    def attack(self, scenario: Scenario, account: PreparedAccount, start: datetime) -> bool:
        """Leave the attack's traces (log objects) where the cloud would; False if not done."""
        return False

    @abc.abstractmethod
    def detect(self, account: PreparedAccount, detail: dict[str, Any]) -> Detection: ...

    @abc.abstractmethod
    def respond(
        self, account: PreparedAccount, event: dict[str, Any], scenario: Scenario
    ) -> dict[str, Any]:
        """The responder's result for the routed event (`respond_to_event`'s shape)."""

    @abc.abstractmethod
    def inventory(self, account: PreparedAccount) -> Inventory: ...

    def finish(self, account: PreparedAccount | None, timeline: Timeline) -> list[Check]:
        """Tear down what the drill created (always called, also after a failure)."""
        return []

    def close(self) -> None:
        return None

    def __enter__(self) -> Target:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
