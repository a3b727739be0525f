"""Runs an action or a playbook over many targets with a bounded pool, on any cloud.

Every target is validated before anything changes (bad input: `InputError`, exit 2). Targets run
concurrently; a playbook's steps run in order for each target, and a failed step does not stop
the later ones (collect as much as possible), but it makes the run's result a failure.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from prewire.core.evidence.custody import CustodyLog
from prewire.core.vocabulary import Cloud
from responders.playbooks import Playbook, PlaybookStep
from responders.registry import ActionSpec, validate_targets
from responders.runtime import InputError, Outcome, Progress, Status, Step, execute


class Case(Protocol):
    """What the runner needs from a cloud's case context."""

    case_id: str
    dry_run: bool
    custody: CustodyLog | None
    options: Any
    progress: Progress

    def recording(self, step: Step) -> AbstractContextManager[None]: ...

    def pacing_note(self) -> str: ...


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
    validate_targets(spec.cloud, case, spec.target_kind, targets)
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
    validate_targets(playbook.cloud, case, playbook.target_kind, targets)
    steps = playbook.ordered(variant)

    def run_step(step: PlaybookStep, target: str) -> list[Outcome]:
        spec = actions(step.action)
        step_case = dataclasses.replace(
            case, options=dataclasses.replace(case.options, **step.options)
        )  # type: ignore[type-var]
        outcomes: list[Outcome] = []
        for step_target in step.expand(step_case, target) if step.expand else [target]:
            try:
                outcomes.append(run_one(step_case, spec, step_target))
            except InputError as error:  # a missing prerequisite fails this step only
                outcomes.append(record_failure(step_case, spec.name, step_target, str(error)))
        return outcomes

    if playbook.step_major:
        return _pipeline(case, steps, targets, workers, run_step)

    def one_target(target: str) -> list[Outcome]:
        return [outcome for step in steps for outcome in run_step(step, target)]

    return list(_pool(workers, targets, one_target))


def _pipeline(
    case: Case,
    steps: Sequence[PlaybookStep],
    targets: Sequence[str],
    workers: int,
    run_step: Callable[[PlaybookStep, str], list[Outcome]],
) -> list[Outcome]:
    """A fleet's playbook: each step runs in a pool of its own, a target entering the next step
    as soon as it left this one, so a later step (snapshots, another API's buckets) never takes
    a worker from an earlier one (containment); a step marked `after_all` waits for every target
    to finish the steps before it (protection, which shares containment's bucket). Outcomes come
    back step by step, each step's in target order, whatever order they finished in."""
    stages: list[list[PlaybookStep]] = []
    for step in steps:
        if not stages or step.after_all:
            stages.append([])
        stages[-1].append(step)
    found: dict[tuple[int, int], list[Outcome]] = {}
    offset = 0
    for stage in stages:
        ran = _run_stage(case, stage, targets, workers, run_step)
        for (index, target_index), outcomes in ran.items():
            found[(offset + index, target_index)] = outcomes
        offset += len(stage)
    return [outcome for key in sorted(found) for outcome in found[key]]


def _run_stage(
    case: Case,
    stage: Sequence[PlaybookStep],
    targets: Sequence[str],
    workers: int,
    run_step: Callable[[PlaybookStep, str], list[Outcome]],
) -> dict[tuple[int, int], list[Outcome]]:
    """Runs every target through `stage`'s steps, one pool per step; keyed by (step, target).
    Each step shows how many targets it has done and the run's waits for the rate limits."""
    found: dict[tuple[int, int], list[Outcome]] = {}
    lock = threading.Lock()
    pools = [ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) for _ in stage]
    futures: list[Future[None]] = []
    bars = [
        case.progress.task(f"{step.action} ({len(targets)} targets)", len(targets))
        for step in stage
    ]
    done = [0] * len(stage)

    def run(index: int, target_index: int) -> None:
        outcomes = run_step(stage[index], targets[target_index])
        with lock:
            found[(index, target_index)] = outcomes
            done[index] += 1
            bars[index].update(done[index], note=case.pacing_note())
            if index + 1 < len(stage):
                futures.append(pools[index + 1].submit(run, index + 1, target_index))

    with lock:
        futures.extend(pools[0].submit(run, 0, i) for i in range(len(targets)))
    try:
        while True:  # a step's future queues the target's next step before it completes
            with lock:
                if not futures:
                    break
                future = futures.pop(0)
            future.result()
    finally:
        for pool in pools:
            pool.shutdown(wait=True)
        for bar in bars:
            bar.close()
    return found


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
