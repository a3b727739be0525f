"""Playbooks: ordered responder steps run per target, targets in parallel, on any cloud."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from prewire.core.registry import Registry, check_kebab_case
from prewire.core.vocabulary import Cloud

Expand = Callable[[Any, str], list[str]]
"""Given the case and the playbook's target, the targets a step acts on instead."""


@dataclass(frozen=True)
class PlaybookStep:
    action: str
    options: dict[str, Any] = field(default_factory=dict)
    expand: Expand | None = None
    why: str = ""
    after_all: bool = False
    """In a step-major playbook: start only once every target finished the steps before."""


@dataclass(frozen=True)
class Playbook:
    cloud: Cloud
    name: str
    summary: str
    target_kind: str
    steps: tuple[PlaybookStep, ...]
    variants: dict[str, tuple[PlaybookStep, ...]] = field(default_factory=dict)
    """Alternative step orders selected by an option (e.g. isolate before memory capture)."""
    step_major: bool = False
    """A fleet's playbook: the steps run as a pipeline over the targets, each step in a pool of
    its own (see `responders.runner`), instead of every step of a target in turn."""

    @property
    def key(self) -> tuple[Cloud, str]:
        return (self.cloud, self.name)

    def ordered(self, variant: str | None) -> tuple[PlaybookStep, ...]:
        return self.variants.get(variant or "", self.steps)


PLAYBOOKS: Registry[tuple[Cloud, str], Playbook] = Registry("playbook", key=lambda p: p.key)


def register(playbook: Playbook) -> Playbook:
    check_kebab_case(playbook.name)
    return PLAYBOOKS.add(playbook)


@dataclass(frozen=True)
class InstanceSteps:
    """A cloud's instance steps, each with why it is where it is in the order."""

    protect: PlaybookStep
    snapshot: PlaybookStep
    isolate: PlaybookStep
    quarantine: PlaybookStep
    logs: PlaybookStep


def register_instance_playbooks(cloud: Cloud, steps: InstanceSteps, contain_summary: str) -> None:
    """`contain-instance` and `preserve-instance` in the order docs/responders.md justifies
    (the clouds without memory capture: Azure and GCP): protect, snapshot, isolate, quarantine,
    logs; preserve changes nothing about the workload's behaviour."""
    register(
        Playbook(
            cloud=cloud,
            name="contain-instance",
            summary=contain_summary,
            target_kind="instance",
            steps=(steps.protect, steps.snapshot, steps.isolate, steps.quarantine, steps.logs),
        )
    )
    register(
        Playbook(
            cloud=cloud,
            name="preserve-instance",
            summary="Collect evidence without changing the workload's behaviour (no isolation)",
            target_kind="instance",
            steps=(steps.protect, steps.snapshot, steps.logs),
        )
    )


def playbooks_of(cloud: Cloud) -> list[Playbook]:
    from responders.registry import load_cloud

    load_cloud(cloud)
    return sorted((p for p in PLAYBOOKS if p.cloud is cloud), key=lambda p: p.name)


def step_names(steps: Sequence[PlaybookStep]) -> list[str]:
    return [s.action for s in steps]
