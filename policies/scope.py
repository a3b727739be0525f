"""Which controls judge a program: the account baseline, the workload's own resources, or both.

Presence controls ("the account has a multi-region trail", "GuardDuty is on") belong to the account
or organisation baseline. An application program that declares none of the baseline is judged as a
workload: on the resources it declares, with the account controls it relies on reported as such
(or checked against the baseline stack's outputs). `prewire check` and the CrossGuard pack decide
the same way, here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from policies.catalogue import Control, Scope, load_catalogue
from prewire.core.graph import Graph


class CheckScope(StrEnum):
    AUTO = "auto"
    WORKLOAD = "workload"
    """Resource controls; account controls are reported as relied on (or checked against the
    baseline stack's outputs)."""
    ACCOUNT = "account"
    """Account controls only."""
    ALL = "all"

    def judges(self, control: Control) -> bool:
        """Whether the control's own rule runs under this scope."""
        if self is CheckScope.ACCOUNT:
            return control.scope is Scope.ACCOUNT
        if self is CheckScope.WORKLOAD:
            return control.scope is Scope.RESOURCE
        return True


@dataclass(frozen=True)
class ScopeDecision:
    scope: CheckScope
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {"scope": self.scope.value, "reason": self.reason}


def baseline_markers(controls: Iterable[Control]) -> set[str]:
    """Type tokens whose presence marks a baseline program: the kinds only a baseline declares
    and the components that provide account controls."""
    markers: set[str] = set()
    for control in controls:
        if control.scope is Scope.ACCOUNT:
            markers.update(control.baseline_kinds)
            markers.update(control.provided_by)
    return markers


def decide(graph: Graph, controls: Iterable[Control], requested: CheckScope) -> ScopeDecision:
    """The scope to judge `graph` with, and why (for the summary)."""
    if requested is not CheckScope.AUTO:
        return ScopeDecision(requested, f"--scope {requested.value} was asked for")
    load_catalogue()
    markers = baseline_markers(controls)
    declared = [r for r in graph if r.type in markers]
    if declared:
        # prewire's own components first: they say the most about what the program is.
        labels = sorted(
            {f"{r.type} ({r.name})" for r in declared},
            key=lambda x: (not x.startswith("prewire:"), x),
        )
        names = ", ".join(labels[:3])
        more = f" and {len(declared) - 3} more" if len(declared) > 3 else ""
        return ScopeDecision(
            CheckScope.ALL, f"the program declares account baseline resources: {names}{more}"
        )
    return ScopeDecision(
        CheckScope.WORKLOAD,
        "the program declares no account baseline (no prewire readiness component, trail, "
        "threat detection, configuration recorder, snapshot policy or audit log export): judged "
        "as a workload on the resources it declares",
    )
