"""The control catalogue: each readiness requirement once, with a stable id.

A control's static rule (over a rendered Pulumi graph), its live check (over cloud APIs), the stack
component that satisfies it and the responders that depend on it all refer to the same id. Azure
and GCP controls register here the same way; nothing in the engine is cloud-specific.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from prewire.core import clouds
from prewire.core.registry import Registry
from prewire.core.vocabulary import Cloud, EvidenceSource, Severity

CONTROL_ID = re.compile(r"(AWS|AZURE|GCP)-[A-Z0-9]+-\d{3}")


class Scope(StrEnum):
    """What a control judges."""

    ACCOUNT = "account"
    """The presence of an account or organisation baseline (a trail, an evidence store, GuardDuty):
    provided once per account by a baseline stack, not by every application program."""
    RESOURCE = "resource"
    """A resource the program declares (its VPCs, clusters, functions, buckets, containers)."""


@dataclass(frozen=True)
class Control:
    id: str
    title: str
    severity: Severity
    cloud: Cloud
    sources: tuple[EvidenceSource, ...]
    rationale: str
    remediation: str
    prowler: tuple[str, ...] = ()
    checkov: tuple[str, ...] = ()
    provided_by: tuple[str, ...] = ()
    """Type tokens of the prewire components that satisfy the control."""
    live_only: bool = False
    """Observable only in a deployed account (responder pre-flight), not in a program."""
    scope: Scope = Scope.RESOURCE
    baseline_kinds: tuple[str, ...] = ()
    """Resource kinds only a baseline program declares (a trail, a GuardDuty detector): a
    program declaring one is judged on the account controls too."""
    baseline_output: str | None = None
    """Where a baseline stack's outputs (`pulumi stack output --json`) show the control is met,
    as a dotted path, e.g. `aws.trailArn`."""


CONTROLS: Registry[str, Control] = Registry("control", key=lambda c: c.id)


def control(
    id: str,
    title: str,
    severity: Severity,
    sources: tuple[EvidenceSource, ...],
    rationale: str,
    remediation: str,
    *,
    prowler: tuple[str, ...] = (),
    checkov: tuple[str, ...] = (),
    provided_by: tuple[str, ...] = (),
    live_only: bool = False,
    scope: Scope = Scope.RESOURCE,
    baseline_kinds: tuple[str, ...] = (),
    baseline_output: str | None = None,
) -> Control:
    if not CONTROL_ID.fullmatch(id):
        raise ValueError(f"control id {id!r} does not look like AWS-AREA-001")
    cloud = Cloud(id.split("-", 1)[0].lower())
    if any(source.cloud is not cloud for source in sources):
        raise ValueError(f"{id}: evidence sources of another cloud")
    if scope is Scope.RESOURCE and (baseline_kinds or baseline_output):
        raise ValueError(f"{id}: only an account control has baseline kinds or outputs")
    return CONTROLS.add(
        Control(
            id,
            title,
            severity,
            cloud,
            sources,
            rationale,
            remediation,
            prowler,
            checkov,
            provided_by,
            live_only,
            scope,
            baseline_kinds,
            baseline_output,
        )
    )


def controls_of(cloud: Cloud) -> list[Control]:
    load_catalogue()
    return sorted((c for c in CONTROLS if c.cloud is cloud), key=lambda c: c.id)


def get(control_id: str) -> Control:
    load_catalogue()
    return CONTROLS.get(control_id)


def load_catalogue() -> None:
    """Import every cloud's control definitions (they register on import)."""
    clouds.load("controls")
