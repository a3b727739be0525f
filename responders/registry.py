"""Responder actions register here by cloud and kebab-case name, with what they need.

Each action declares the permissions it uses and where they apply (`Scope`), whether it changes
the workload (`destructive`), and which evidence sources it produces. The responder identities
in `stacks/` are generated from these declarations, so the declaration is the single source of
truth for least privilege.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from prewire.core import clouds
from prewire.core.registry import PerCloud, Registry, check_kebab_case
from prewire.core.vocabulary import Cloud, EvidenceSource


class Scope(StrEnum):
    """Where a permission applies. The stack maps each scope onto concrete resources."""

    ANY = "any"
    EVIDENCE_BUCKET = "evidence-bucket"
    EVIDENCE_OBJECTS = "evidence-objects"
    AUDIT_BUCKET = "audit-bucket"
    AUDIT_OBJECTS = "audit-objects"
    FORENSIC_KEY = "forensic-key"
    DISCOVERY_PARAMETERS = "discovery-parameters"
    MEMORY_TOOL = "memory-tool"
    QUARANTINE_ATTACHMENT = "quarantine-attachment"
    """Attaching or detaching the quarantine policy, and no other managed policy."""
    MEMORY_DOCUMENTS = "memory-documents"
    """prewire's SSM documents for memory capture, sent to this account's instances."""
    ACCOUNT_RESOURCES = "account-resources"
    """Resources of this account in the stack's region (snapshots, which carry no account in
    their ARN, in any region): for every action IAM can scope to a resource."""
    ACCOUNT_IDENTITIES = "account-identities"
    """The account's own IAM roles and users (never another account's)."""


@dataclass(frozen=True, order=True)
class Permission:
    action: str
    scope: Scope = Scope.ANY


def perms(*actions: str, scope: Scope = Scope.ANY) -> tuple[Permission, ...]:
    return tuple(Permission(action, scope) for action in actions)


ActionFn = Callable[..., Any]


@dataclass(frozen=True)
class ActionSpec:
    cloud: Cloud
    name: str
    summary: str
    target_kind: str
    permissions: tuple[Permission, ...]
    destructive: bool
    produces: tuple[EvidenceSource, ...]
    run: ActionFn = field(compare=False)

    @property
    def key(self) -> tuple[Cloud, str]:
        return (self.cloud, self.name)


ACTIONS: Registry[tuple[Cloud, str], ActionSpec] = Registry("action", key=lambda a: a.key)

# Permissions every action needs through the shared evidence store and custody log; declared
# once here per cloud instead of repeated by each action.
_COMMON: dict[Cloud, tuple[Permission, ...]] = {}


def declare_common_permissions(cloud: Cloud, permissions: Iterable[Permission]) -> None:
    _COMMON[cloud] = tuple(sorted(set(_COMMON.get(cloud, ())) | set(permissions)))


def action(
    cloud: Cloud,
    name: str,
    *,
    summary: str,
    target_kind: str,
    permissions: Iterable[Permission],
    destructive: bool,
    produces: Iterable[EvidenceSource] = (),
) -> Callable[[ActionFn], ActionFn]:
    """Register the decorated function as responder action `name` on `cloud`."""
    declared = tuple(sorted(set(permissions)))
    if not declared:
        raise ValueError(f"action {name} declares no permissions")

    def register(fn: ActionFn) -> ActionFn:
        ACTIONS.add(
            ActionSpec(
                cloud=cloud,
                name=check_kebab_case(name),
                summary=summary,
                target_kind=target_kind,
                permissions=declared,
                destructive=destructive,
                produces=tuple(produces),
                run=fn,
            )
        )
        return fn

    return register


def actions_of(cloud: Cloud) -> list[ActionSpec]:
    load_cloud(cloud)
    return sorted((a for a in ACTIONS if a.cloud is cloud), key=lambda a: a.name)


def required_permissions(cloud: Cloud) -> tuple[Permission, ...]:
    """Every permission the responders of `cloud` declare, common ones included."""
    load_cloud(cloud)
    needed: set[Permission] = set(_COMMON.get(cloud, ()))
    for spec in actions_of(cloud):
        needed.update(spec.permissions)
    return tuple(sorted(needed))


TargetValidator = Callable[[Any, str, Sequence[str]], None]
_VALIDATORS: PerCloud[TargetValidator] = PerCloud("target validator")


def target_validator(cloud: Cloud) -> Callable[[TargetValidator], TargetValidator]:
    """Register the function that checks a run's targets on `cloud` before anything changes."""
    return _VALIDATORS.register(cloud)


def validate_targets(cloud: Cloud, case: Any, kind: str, targets: Sequence[str]) -> None:
    """Every target parses, is of `kind`, is in the case's account and exists, or InputError."""
    load_cloud(cloud)
    _VALIDATORS[cloud](case, kind, targets)


def load_cloud(cloud: Cloud) -> None:
    """Import the cloud's responder package so its actions register themselves."""
    clouds.load("responders", [cloud])
