"""`prewire check` as a library call: render a program offline and judge it in the right scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policies import baseline, overrides
from policies.catalogue import controls_of
from policies.findings import Finding
from policies.scope import CheckScope, ScopeDecision, decide
from policies.static.engine import clouds_in, evaluate
from prewire.core.graph import Graph
from prewire.render import ProgramError, load_stack_config, locate_program, render
from prewire.render.program import KIT_ROOT, parse_overrides

KIT_EXAMPLE_CONFIG = KIT_ROOT / "Pulumi.example-aws.yaml"


@dataclass
class CheckRequest:
    program: Path | None = None
    stack_config: Path | None = None
    config: Sequence[str] = ()
    scope: CheckScope = CheckScope.AUTO
    baseline_outputs: Path | None = None
    stack_outputs: Sequence[str] = ()
    """NAME=FILE pairs: the outputs of a stack the program references."""
    policy_config: Path | None = None
    with_checkov: bool = False


@dataclass
class CheckResult:
    main_dir: Path
    graph: Graph
    decision: ScopeDecision
    settings: overrides.CheckSettings
    findings: list[Finding]
    notes: list[str] = field(default_factory=list)

    def summary_extra(self) -> dict[str, Any]:
        return {
            "program": str(self.main_dir),
            "resources": len(self.graph),
            "scope": self.decision.as_dict(),
            "notes": self.notes,
        }


def _stack_outputs(pairs: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        name, sep, path = pair.partition("=")
        if not sep or not name or not path:
            raise ProgramError(f"--stack-outputs {pair!r}: expected STACK=FILE")
        try:
            found[name] = baseline.load_outputs(Path(path))
        except baseline.BaselineOutputsError as error:
            raise ProgramError(str(error)) from None
    return found


def check_program(request: CheckRequest) -> CheckResult:
    main_dir, project = locate_program(request.program)
    program_root = (request.program or KIT_ROOT).resolve()
    settings = overrides.for_program(program_root, request.policy_config)
    notes: list[str] = []
    stack_config = request.stack_config
    if stack_config is None and request.program is None:
        stack_config = KIT_EXAMPLE_CONFIG
        notes.append(f"checking the kit's own program with {stack_config.name}")
    values = load_stack_config(stack_config, project) if stack_config else {}
    values.update(parse_overrides(list(request.config), project))
    outputs = baseline.load_outputs(request.baseline_outputs) if request.baseline_outputs else None
    graph = render(request.program, values, stack_outputs=_stack_outputs(request.stack_outputs))
    clouds = sorted(clouds_in(graph))
    controls = [c for cloud in clouds for c in controls_of(cloud)]
    wanted = request.scope if request.scope is not CheckScope.AUTO else settings.scope
    decision = decide(graph, controls, wanted)
    if outputs is not None and decision.scope is not CheckScope.WORKLOAD:
        notes.append(
            f"--baseline-stack-outputs is used only for a workload ({decision.scope} scope)"
        )
    findings = evaluate(graph, scope=decision.scope, baseline_outputs=outputs, settings=settings)
    notes += graph.notes
    notes += [
        f"invoke {token} is not modelled offline; the program saw placeholder values"
        for token in dict.fromkeys(i.token for i in graph.unanswered_invokes)
    ]
    notes += settings.notes()
    if request.with_checkov:
        from policies.checkov_run import run_checkov

        checkov = run_checkov(graph)
        findings += [f for f in checkov.findings if not settings.disabled(f.control.id)]
        notes += checkov.notes
    return CheckResult(main_dir, graph, decision, settings, findings, notes)
