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
    """`Resource: "*"`: only for what IAM accepts on `*` alone (the Describe*/List* reads,
    sts:GetCallerIdentity) and lambda:GetLayerVersion (a function's layers may be any account's);
    tests/stacks/test_iam_lint.py checks each AWS one against the IAM service reference."""
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
    INSTANCE_INTERFACES = "instance-interfaces"
    """The network interfaces and instances of this account in the stack's region, without
    their security groups (which `ISOLATION_GROUPS` names)."""
    ISOLATION_GROUPS = "isolation-groups"
    """The security groups prewire created for isolation and conversion, by their tag."""
    PREWIRE_INSTANCE_TAGS = "prewire-instance-tags"
    """Tags named `prewire:*` on this account's instances, and no other tag."""
    SNAPSHOT_CREATION_TAGS = "snapshot-creation-tags"
    """Tags on a snapshot as it is created or copied, and on no existing resource."""
    CASE_SNAPSHOT_CREATION = "case-snapshot-creation"
    """New snapshots (taken or copied) that carry a case tag in the request."""
    CASE_SNAPSHOTS = "case-snapshots"
    """Existing snapshots that carry a case tag."""
    CASE_SNAPSHOT_SHARING = "case-snapshot-sharing"
    """Sharing a snapshot that carries a case tag with accounts, never with everyone."""
    VMDK_EXPORT = "vmdk-export"
    """Only where the stack enables the optional disk-image export (it runs builds as a
    Google-managed account with wide rights)."""


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
    releases: bool = False
    """Undoes a containment. Where the cloud has a break-glass identity, only that identity is
    granted it, so a stolen responder credential cannot release what it contained."""

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
    releases: bool = False,
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
                releases=releases,
            )
        )
        return fn

    return register


def actions_of(cloud: Cloud) -> list[ActionSpec]:
    load_cloud(cloud)
    return sorted((a for a in ACTIONS if a.cloud is cloud), key=lambda a: a.name)


def required_permissions(cloud: Cloud, *, releases: bool = True) -> tuple[Permission, ...]:
    """Every permission the responders of `cloud` declare, common ones included; with
    `releases=False`, without what only the actions that undo a containment need."""
    load_cloud(cloud)
    needed: set[Permission] = set(_COMMON.get(cloud, ()))
    for spec in actions_of(cloud):
        if releases or not spec.releases:
            needed.update(spec.permissions)
    return tuple(sorted(needed))


def release_permissions(cloud: Cloud) -> tuple[Permission, ...]:
    """What the actions that undo a containment need beyond everything else."""
    contain = set(required_permissions(cloud, releases=False))
    return tuple(p for p in required_permissions(cloud) if p not in contain)


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
