"""Findings: the one result format shared by `prewire check`, the CrossGuard pack, checkov
results and `prewire audit`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from policies.catalogue import Control
from prewire.core.vocabulary import Severity


class Status(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"
    BASELINE = "baseline"
    """An account control a workload relies on, not judged in the workload's program."""


@dataclass(frozen=True)
class Finding:
    control: Control
    status: Status
    resource: str | None
    message: str
    source: str = "static"  # static | live | checkov
    checkov_id: str | None = None
    location: dict[str, str] = field(default_factory=dict)  # account, region for live findings

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "control": self.control.id,
            "title": self.control.title,
            "severity": self.control.severity.value,
            "status": self.status.value,
            "cloud": self.control.cloud.value,
            "scope": self.control.scope.value,
            "resource": self.resource,
            "evidence_sources": [s.value for s in self.control.sources],
            "message": self.message,
            "remediation": self.control.remediation,
            "source": self.source,
        }
        if self.checkov_id:
            data["checkov_id"] = self.checkov_id
        if self.location:
            data.update(self.location)
        return data


def summary(findings: Sequence[Finding]) -> dict[str, Any]:
    failed = [f for f in findings if f.status is Status.FAILED]
    return {
        "total": len(findings),
        "passed": sum(f.status is Status.PASSED for f in findings),
        "failed": len(failed),
        "unknown": sum(f.status is Status.UNKNOWN for f in findings),
        "baseline": sum(f.status is Status.BASELINE for f in findings),
        "failed_by_severity": dict(Counter(f.control.severity.value for f in failed)),
        "controls_failed": sorted({f.control.id for f in failed}),
    }


def breaches(findings: Sequence[Finding], threshold: Severity) -> list[Finding]:
    """Failed findings at or above `threshold` (what makes the exit code 1)."""
    return [
        f for f in findings if f.status is Status.FAILED and f.control.severity.at_least(threshold)
    ]
