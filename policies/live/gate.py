"""The drill's readiness gate: the live audit of the target (any cloud), scoped to what
prewire prewires.

The gate fails on a failed high or critical finding of a control the stack provides or of the
responder pre-flight; gaps in the victim workload itself (say, an EKS cluster without audit
logs) are what the scenarios exercise, so they are reported but do not stop the drill.
"""

from __future__ import annotations

from dataclasses import dataclass

from policies.catalogue import Control
from policies.findings import Finding, Status
from prewire.core import tokens as t
from prewire.core.vocabulary import Severity

# Components that change only the clusters a program declares (stack transformations): a
# cluster created outside the program, like a drill's victim, is a workload gap, not the stack's.
PROGRAM_WORKLOAD_COMPONENTS = frozenset({t.AWS_EKS_LOGGING, t.GCP_GKE_LOGGING})


def provided_by_the_stack(control: Control) -> bool:
    return bool(set(control.provided_by) - PROGRAM_WORKLOAD_COMPONENTS)


@dataclass(frozen=True)
class GateResult:
    findings: list[Finding]

    @property
    def blocking(self) -> list[Finding]:
        return [
            f
            for f in self.findings
            if f.status is Status.FAILED
            and f.control.severity.at_least(Severity.HIGH)
            and (provided_by_the_stack(f.control) or f.control.live_only)
        ]

    @property
    def reported(self) -> list[Finding]:
        return [
            f for f in self.findings if f.status is not Status.PASSED and f not in self.blocking
        ]


def describe(finding: Finding) -> str:
    where = f" {finding.resource}" if finding.resource else ""
    return f"{finding.control.id}{where}: {finding.message}"
