"""Runs an action or a playbook over many targets with a bounded pool, on any cloud.

Every target is validated before anything changes (bad input: `InputError`, exit 2). Targets run
concurrently; a playbook's steps run in order for each target, and a failed step does not stop
the later ones (collect as much as possible), but it makes the run's result a failure.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from prewire.evidence.custody import CustodyLog
from prewire.vocabulary import Cloud
from responders.playbooks import Playbook
from responders.registry import ActionSpec
from responders.runtime import InputError, Outcome, Status, Step, execute


class Case(Protocol):
    """What the runner needs from a cloud's case context."""

    case_id: str
    dry_run: bool
    custody: CustodyLog | None
    options: Any

    def recording(self, step: Step) -> AbstractContextManager[None]: ...

    def validate(self, kind: str, targets: Sequence[str]) -> None: ...


def run_one(case: Case, spec: ActionSpec, target: str) -> Outcome:
    return execute(
        spec.name,
        target,
        lambda step: spec.run(case, target, step),
        dry_run=case.dry_run,
        custody=case.custody,
        recorder=case.recording,
    )


def _pool(
    workers: int, targets: Sequence[str], work: Callable[[str], list[Outcome]]
) -> Iterator[Outcome]:
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        for outcomes in pool.map(work, targets):
            yield from outcomes


def run_action(
    case: Case, spec: ActionSpec, targets: Sequence[str], *, workers: int = 16
) -> list[Outcome]:
    case.validate(spec.target_kind, targets)
    return list(_pool(workers, targets, lambda target: [run_one(case, spec, target)]))


def run_playbook(
    case: Case,
    playbook: Playbook,
    targets: Sequence[str],
    actions: Callable[[str], ActionSpec],
    *,
    variant: str | None = None,
    workers: int = 16,
) -> list[Outcome]:
    case.validate(playbook.target_kind, targets)
    steps = playbook.ordered(variant)

    def one_target(target: str) -> list[Outcome]:
        outcomes: list[Outcome] = []
        for step in steps:
            spec = actions(step.action)
            step_case = dataclasses.replace(
                case, options=dataclasses.replace(case.options, **step.options)
            )  # type: ignore[type-var]
            step_targets = step.expand(step_case, target) if step.expand else [target]
            for step_target in step_targets:
                try:
                    outcomes.append(run_one(step_case, spec, step_target))
                except InputError as error:  # a missing prerequisite fails this step only
                    outcomes.append(record_failure(step_case, spec.name, step_target, str(error)))
        return outcomes

    return list(_pool(workers, targets, one_target))


def record_failure(case: Case, action: str, target: str, message: str) -> Outcome:
    if case.custody is not None and not case.dry_run:
        case.custody.append(
            action=action, target=target, status=Status.FAILED.value, message=message
        )
    return Outcome(action, target, Status.FAILED, message, [], [], [], {}, [])


def succeeded(outcomes: Sequence[Outcome]) -> bool:
    return all(o.ok for o in outcomes)


@dataclass(frozen=True)
class PlaybookPlan:
    """An event-driven responder's decision: run `playbook` on `targets` in case `case_id`."""

    case_id: str
    playbook: str
    targets: tuple[str, ...]
    reason: str


def run_response(
    cloud: Cloud,
    case: Case,
    *,
    kind: str,
    name: str,
    targets: Sequence[str],
    reason: str,
    evidence_root: str,
) -> dict[str, Any]:
    """Run a planned playbook or action and return what an event-driven responder (and the
    drills reading it) reports, on every cloud."""
    from responders.playbooks import PLAYBOOKS
    from responders.registry import ACTIONS

    if kind == "playbook":
        outcomes = run_playbook(
            case, PLAYBOOKS.get((cloud, name)), targets, lambda step: ACTIONS.get((cloud, step))
        )
    else:
        outcomes = run_action(case, ACTIONS.get((cloud, name)), targets)
    return {
        "handled": True,
        "case": case.case_id,
        "evidence_root": evidence_root,
        "response": f"{kind} {name}",
        "targets": list(targets),
        "finding": reason,
        "outcomes": [o.as_dict() for o in outcomes],
        # Unsupported steps (say, memory capture on a Windows instance) are reported; only
        # failures are worth a retry.
        "ok": not any(o.status is Status.FAILED for o in outcomes),
        "complete": all(o.ok for o in outcomes),
    }


def run_plan(cloud: Cloud, case: Case, plan: PlaybookPlan, evidence_root: str) -> dict[str, Any]:
    """`run_response` for a planned playbook (the Azure and GCP alert handlers)."""
    return run_response(
        cloud,
        case,
        kind="playbook",
        name=plan.playbook,
        targets=plan.targets,
        reason=plan.reason,
        evidence_root=evidence_root,
    )
