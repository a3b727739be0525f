"""Drill scenarios: each a registered object with setup, injection, playbook and expectations.

The playbook is whatever the deployed responder function chooses for the finding (the drill
hands the routed event to that same handler); `auto_contain` is the stack setting the scenario
exercises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from prewire.core import clouds
from prewire.core.evidence.layout import EvidenceStore
from prewire.core.evidence.verify import verify_case
from prewire.core.registry import Registry, check_kebab_case
from prewire.core.vocabulary import Cloud
from prewire.drill.inventory import Snapshot

AccountT = TypeVar("AccountT")


@dataclass
class ScenarioRun(Generic[AccountT]):
    """What a scenario's expectations look at once the response has run."""

    account: AccountT
    """The target's prepared account (`PreparedAccount` on AWS, `AzureAccount` on Azure)."""
    case_id: str
    detected_at: datetime
    response: dict[str, Any]
    before: Snapshot
    after: Snapshot
    store: EvidenceStore

    def outcomes(self, action: str | None = None) -> list[dict[str, Any]]:
        found = self.response.get("outcomes", [])
        return [o for o in found if action is None or o["action"] == action]


class NotVerifiable(Exception):
    """The target cannot show whether this held (an emulator gap); never reported as a pass."""


Check = Callable[[ScenarioRun[Any]], str | None]
"""Returns None when the expectation held, else what was wrong."""


@dataclass(frozen=True)
class Expectation:
    name: str
    check: Check
    lesson: str


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    auto_contain: bool
    response: str
    """The playbook (or action) the responder must choose, e.g. "playbook contain-instance"."""
    finding: Callable[[Any, datetime], dict[str, Any]]
    """The detector's finding (GuardDuty's, Defender's) for the prepared account."""
    expectations: tuple[Expectation, ...]
    cloud: Cloud
    prepare: Callable[[Any, datetime], None] | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)


SCENARIOS: Registry[str, Scenario] = Registry("drill scenario", key=lambda s: s.name)


def load_scenarios() -> Registry[str, Scenario]:
    """The registry with every cloud's scenarios in it (each cloud's module registers its own)."""
    clouds.load("drill")

    return SCENARIOS


def register(scenario: Scenario) -> Scenario:
    check_kebab_case(scenario.name)
    return SCENARIOS.add(scenario)


# -- expectations every scenario shares ---------------------------------------------------------


def _evidence_intact(run: ScenarioRun[Any]) -> str | None:
    result = verify_case(run.store, run.case_id)
    if not result.ok:
        return "; ".join(str(p) for p in result.problems[:5]) or "no custody log"
    unlocked = []
    for entry in run.store.read_all_entries(run.case_id):
        for artifact in entry.artifacts:
            if run.store.retention_of(artifact.key) != "COMPLIANCE":
                unlocked.append(artifact.key)
    if unlocked:
        return f"{len(unlocked)} artifact(s) not under COMPLIANCE lock, e.g. {unlocked[0]}"
    return None


def stored_text(run: ScenarioRun[Any], action: str, suffix: str) -> str:
    """The text of every artifact of `action` in the case whose key ends with `suffix`."""
    return "".join(
        run.store.open(a.key).read().decode()
        for entry in run.store.read_all_entries(run.case_id)
        if entry.action == action
        for a in entry.artifacts
        if a.key.endswith(suffix)
    )


def not_collected(text: str, wanted: tuple[tuple[str, str], ...]) -> str | None:
    """None when every (what, needle) needle is in `text`, else what is missing."""
    gone = [what for what, needle in wanted if needle not in text]
    return f"not collected: {', '.join(gone)}" if gone else None


def _nothing_destroyed(run: ScenarioRun[Any]) -> str | None:
    problems = run.after.lost_since(run.before)
    return "; ".join(problems[:5]) if problems else None


def _responders_did_not_fail(run: ScenarioRun[Any]) -> str | None:
    failed = [
        f"{o['action']} on {o['target']}: {o['message']}"
        for o in run.outcomes()
        if o["status"] == "failed"
    ]
    return "; ".join(failed) if failed else None


COMMON = (
    Expectation(
        "responders completed without failure",
        _responders_did_not_fail,
        "Read the failed step's message in the custody log; fix the permission or the "
        "prewired resource it names, then re-run the same case to resume.",
    ),
    Expectation(
        "evidence present under COMPLIANCE lock with matching hashes",
        _evidence_intact,
        "Evidence must land in the locked evidence store (S3 Object Lock in COMPLIANCE mode, "
        "a locked Azure immutability policy); check its retention and that responders write "
        "to it (prewire evidence verify).",
    ),
    Expectation(
        "nothing deleted, stopped or terminated",
        _nothing_destroyed,
        "A responder or automation destroyed evidence: find the deleting call in the audit "
        "log (CloudTrail, the Activity Log) and remove that automation or permission.",
    ),
)
