"""Account controls as a workload sees them: relied on, or checked against the baseline stack.

A workload program does not declare the account's trail or evidence store; it relies on the
baseline stack (prewire's `stacks/` program, or the organisation's own) for them. Without the
baseline's outputs each such control is reported as `baseline` (relied on, not judged here). With
`--baseline-stack-outputs FILE` (`pulumi stack output --json` of the baseline stack) each is checked
against what the baseline really exports: the control's `baseline_output` path must hold a value,
and controls that depend on the workload's own resources (isolation groups for its VPCs) have a
check of their own, registered here by the static rule modules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policies.catalogue import Control, get
from policies.findings import Finding, Status
from prewire.core.graph import Graph, Resource
from prewire.core.registry import Registry

MISSING = object()


class BaselineOutputsError(ValueError):
    """The baseline stack outputs file cannot be read. The message is one line."""


@dataclass(frozen=True)
class BaselineVerdict:
    resource: Resource | None
    status: Status
    message: str


BaselineCheck = Callable[[Graph, Any], list[BaselineVerdict]]
"""(graph, the value at the control's output path, or None without an outputs file)."""


@dataclass(frozen=True)
class RegisteredCheck:
    control_id: str
    check: BaselineCheck


BASELINE_CHECKS: Registry[str, RegisteredCheck] = Registry(
    "baseline check", key=lambda c: c.control_id
)


def baseline_check(control_id: str) -> Callable[[BaselineCheck], BaselineCheck]:
    def register(check: BaselineCheck) -> BaselineCheck:
        BASELINE_CHECKS.add(RegisteredCheck(control_id, check))
        return check

    return register


def load_outputs(path: Path) -> dict[str, Any]:
    """A baseline stack's outputs, as `pulumi stack output --json` writes them."""
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise BaselineOutputsError(f"{path}: no such baseline stack outputs file") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BaselineOutputsError(
            f"{path}: not the JSON of `pulumi stack output --json` ({type(error).__name__})"
        ) from None
    if not isinstance(data, dict):
        raise BaselineOutputsError(f"{path}: expected a JSON object of stack outputs")
    return data


def lookup(outputs: Mapping[str, Any], dotted: str) -> Any:
    """The value at `aws.trailArn` in the outputs, or MISSING."""
    value: Any = outputs
    for part in dotted.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return MISSING
        value = value[part]
    return value


def _shown(value: Any) -> str:
    text = json.dumps(value) if not isinstance(value, str) else value
    return text if len(text) <= 80 else f"{text[:77]}..."


def _relied_on(control: Control) -> str:
    where = f"output {control.baseline_output} of the baseline stack"
    return (
        f"relies on the account baseline ({where}): not judged in a workload program; "
        "pass --baseline-stack-outputs to check it"
    )


def judge(control: Control, graph: Graph, outputs: Mapping[str, Any] | None) -> list[Finding]:
    """Findings of an account control for a workload program."""
    registered = BASELINE_CHECKS.get(control.id) if control.id in BASELINE_CHECKS else None
    value = MISSING
    if outputs is not None and control.baseline_output:
        value = lookup(outputs, control.baseline_output)
    if outputs is None:
        verdicts = (
            registered.check(graph, None)
            if registered
            else [BaselineVerdict(None, Status.BASELINE, _relied_on(control))]
        )
    elif value is MISSING:
        verdicts = [
            BaselineVerdict(
                None,
                Status.FAILED,
                f"the baseline stack's outputs have no {control.baseline_output}: "
                "the workload cannot rely on it",
            )
        ]
    elif registered:
        verdicts = registered.check(graph, value)
    elif value in (None, "", [], {}):
        verdicts = [
            BaselineVerdict(
                None,
                Status.UNKNOWN,
                f"the baseline stack does not manage it ({control.baseline_output} is empty): "
                "verify the account with `prewire audit`",
            )
        ]
    else:
        verdicts = [
            BaselineVerdict(
                None,
                Status.PASSED,
                f"provided by the baseline stack ({control.baseline_output} = {_shown(value)})",
            )
        ]
    return [
        Finding(get(control.id), v.status, v.resource.label if v.resource else None, v.message)
        for v in verdicts
    ]
