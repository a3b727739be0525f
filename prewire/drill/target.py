"""Where a drill runs: the embedded emulator or a real (sandbox) account.

The drill's flow (prepare, gate, attack, detect, respond, verify, report) is the same on both;
a target supplies the steps that differ: how the account is prepared and torn down, how a
finding reaches the responder, and how much of the account the "nothing destroyed" inventory
covers.
"""

from __future__ import annotations

import abc
import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import TracebackType
from typing import Any

from policies.live.gate import GateResult
from prewire.core import clouds
from prewire.core.evidence.layout import EvidenceStore
from prewire.core.registry import PerCloud
from prewire.core.vocabulary import Cloud
from prewire.drill.inventory import Snapshot
from prewire.drill.options import DrillOptions
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


@dataclass(frozen=True)
class Guide:
    """How to use a prepared local target from the command line (what `prewire sandbox up`
    prints): its endpoints, the environment the commands need, and the commands themselves."""

    cloud: Cloud
    endpoints: dict[str, str]
    environment: dict[str, str]
    commands: list[str]
    notes: list[str] = field(default_factory=list)


SANDBOX_CASE = "sandbox-1"


def try_commands(
    cloud: Cloud,
    target: str,
    *,
    options: Sequence[str] = (),
    audit_options: Sequence[str] = (),
    after_containment: Sequence[str] = (),
) -> list[str]:
    """A guide's commands: audit, contain the victim, what to run on the case, release it.
    `options` go on every command (an endpoint, say)."""
    case = ["--case", SANDBOX_CASE, "--target", target]
    respond = ["prewire", "respond", cloud.value]
    return [
        shlex.join(["prewire", "audit", cloud.value, *audit_options, *options]),
        shlex.join([*respond, "contain-instance", *case, *options]),
        *after_containment,
        shlex.join([*respond, "release-instance", *case, "--yes", *options]),
    ]


class Target(abc.ABC):
    """One cloud's drill target. `account` is whatever `prepare` returned for that cloud."""

    cloud: Cloud
    notes: list[str]
    routing_lesson: str
    """What to fix when the stack's detection routing did not deliver the finding."""
    planning_lesson: str
    """What to fix when the responder chose another response than the scenario expects."""

    def unsupported(self, scenario: Scenario) -> str | None:
        """Why `scenario` cannot run on this target, or None."""
        if scenario.cloud is not self.cloud:
            return f"it is a {scenario.cloud.value} scenario"
        return None

    @abc.abstractmethod
    def prepare(self, drill_id: str, timeline: Timeline, progress: Progress) -> Any:
        """The readiness stack in place and a victim to attack, each a timeline step."""

    @abc.abstractmethod
    def gate(self, account: Any) -> GateResult | None:
        """The live readiness audit of the prepared account (None: this cloud has none yet)."""

    def attack(self, scenario: Scenario, account: Any, start: datetime) -> bool:
        """Leave the attack's traces (log objects) where the cloud would; False if not done.

        Not done by default: on a real account the scenario's simulated traces would be
        mistaken for real ones. Emulated targets call `simulate_attack`."""
        return False

    @abc.abstractmethod
    def summary(self, detail: dict[str, Any]) -> str:
        """The finding in a few words: its type and severity."""

    @abc.abstractmethod
    def detect(self, account: Any, detail: dict[str, Any]) -> Detection: ...

    @abc.abstractmethod
    def respond(self, account: Any, event: dict[str, Any], scenario: Scenario) -> dict[str, Any]:
        """The responder's result for the routed event (`run_response`'s shape)."""

    @abc.abstractmethod
    def inventory(self, account: Any) -> Snapshot: ...

    @abc.abstractmethod
    def evidence_store(self, account: Any, detail: dict[str, Any]) -> EvidenceStore:
        """Where the response to `detail` wrote its evidence and custody log."""

    def finish(self, account: Any | None, timeline: Timeline) -> list[Check]:
        """Tear down what the drill created (always called, also after a failure)."""
        return []

    def case_snapshots(self, account: Any, case: str) -> tuple[int, int]:
        """(snapshots carrying `case`'s tag or label, disks of the victim): a fault campaign's
        check that no retry took a second snapshot set. (0, 0) where not counted."""
        return (0, 0)

    def guide(self, account: Any) -> Guide | None:
        """How to use the prepared account from the command line; None where the target is
        not a local one a sandbox can offer."""
        return None

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


def simulate_attack(scenario: Scenario, account: Any, start: datetime) -> bool:
    """Run the scenario's own preparation (its simulated traces) on an emulated target."""
    if scenario.prepare is None:
        return False
    scenario.prepare(account, start)
    return True


Opener = Callable[[DrillOptions], Target]
_OPENERS: PerCloud[Opener] = PerCloud("drill target")


def target_opener(cloud: Cloud) -> Callable[[Opener], Opener]:
    """Register how `cloud`'s drill target opens; each cloud's drill package declares its own."""
    return _OPENERS.register(cloud)


def open_target(options: DrillOptions, cloud: Cloud) -> Target:
    clouds.load("drill", [cloud])
    return _OPENERS[cloud](options)
