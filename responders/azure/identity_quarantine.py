"""Quarantine and release the managed identities of an Azure VM.

Azure has no deny assignment a customer can create, so quarantine removes every role
assignment of the VM's system- and user-assigned identities, after recording each one in full
(role, scope, principal type, condition) so release can re-create them exactly. Access through
those identities stops as ARM and the data planes re-evaluate (ARM at the next request; storage
and Key Vault within minutes); tokens already issued stay valid until they expire, but carry
no roles.

A user-assigned identity may be shared: every resource using it loses the access too, and the
step says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.authorization.v2022_04_01.models import RoleAssignmentCreateParameters

from prewire.core.vocabulary import Cloud
from responders.azure import ids
from responders.azure.case import AzureCase
from responders.azure.session import rest_json
from responders.azure.targets import describe_vm
from responders.registry import action, perms
from responders.runtime import InputError, Status, Step

ROLE_ASSIGNMENT_PERMISSIONS = perms(
    "Microsoft.Compute/virtualMachines/read",
    "Microsoft.Authorization/roleAssignments/read",
)


@dataclass(frozen=True)
class Principal:
    principal_id: str
    label: str
    shared: bool


def principals_of(vm: dict[str, Any]) -> list[Principal]:
    identity = vm.get("identity") or {}
    found = []
    if identity.get("principalId"):
        found.append(Principal(identity["principalId"], "system-assigned identity", False))
    for resource_id, details in (identity.get("userAssignedIdentities") or {}).items():
        if details.get("principalId"):
            name = resource_id.rsplit("/", 1)[-1]
            found.append(Principal(details["principalId"], f"user-assigned identity {name}", True))
    return found


def _assignments(case: AzureCase, principal: Principal) -> list[dict[str, Any]]:
    listed = case.clients.authorization.role_assignments.list_for_subscription(
        filter=f"principalId eq '{principal.principal_id}'"
    )
    return [rest_json(a) for a in listed]


@action(
    Cloud.AZURE,
    "quarantine-identity",
    summary="Record, then remove, every role assignment of the VM's managed identities",
    target_kind="instance",
    permissions=(
        *ROLE_ASSIGNMENT_PERMISSIONS,
        *perms("Microsoft.Authorization/roleAssignments/delete"),
    ),
    destructive=True,
)
def quarantine_identity(case: AzureCase, target: str, step: Step) -> Status:
    principals = principals_of(describe_vm(case, ids.parse(target)))
    if not principals:
        step.note("the VM has no managed identity")
        return Status.UNCHANGED
    # Recorded before any removal, so a failure halfway still leaves what release needs.
    recorded: list[dict[str, Any]] = step.state.setdefault("role_assignments", [])
    for principal in principals:
        if principal.shared:
            step.warn(f"{principal.label} may be shared: every resource using it loses these roles")
        for assignment in _assignments(case, principal):
            recorded.append(assignment)
            step.change(
                "Microsoft.Authorization",
                case.clients.authorization.role_assignments,
                "delete_by_id",
                role_assignment_id=assignment["id"],
            )
    if not recorded:
        del step.state["role_assignments"]
        step.note(f"no role assignments left for {len(principals)} identity(ies)")
        return Status.UNCHANGED
    step.state["contained"] = True
    step.note(f"removed {len(recorded)} role assignment(s) of {len(principals)} identity(ies)")
    return Status.CHANGED


def _recorded(case: AzureCase, target: str) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for entry in case.release_history("release-identity", target, "quarantine-identity"):
        for assignment in entry.state.get("role_assignments", []):
            seen.setdefault(assignment["id"].lower(), assignment)
    return list(seen.values())


@action(
    Cloud.AZURE,
    "release-identity",
    summary="Re-create the role assignments recorded at quarantine",
    target_kind="instance",
    permissions=(
        *ROLE_ASSIGNMENT_PERMISSIONS,
        *perms("Microsoft.Authorization/roleAssignments/write"),
    ),
    destructive=True,
    # Writing role assignments is granting any role, Owner included: break glass only.
    releases=True,
)
def release_identity(case: AzureCase, target: str, step: Step) -> Status:
    recorded = _recorded(case, target)
    if not recorded:
        raise InputError(f"case {case.case_id} has no recorded quarantine of {target}")
    assignments = case.clients.authorization.role_assignments
    restored = 0
    for assignment in recorded:
        properties = assignment.get("properties", {})
        try:
            assignments.get_by_id(assignment["id"])
            continue  # already there
        except ResourceNotFoundError:
            pass
        step.change(
            "Microsoft.Authorization",
            assignments,
            "create_by_id",
            role_assignment_id=assignment["id"],
            parameters=RoleAssignmentCreateParameters(
                role_definition_id=properties["roleDefinitionId"],
                principal_id=properties["principalId"],
                principal_type=properties.get("principalType"),
                description=properties.get("description"),
                condition=properties.get("condition"),
                condition_version=properties.get("conditionVersion"),
            ),
        )
        restored += 1
    if not restored:
        step.note("already released")
        return Status.UNCHANGED
    step.note(f"re-created {restored} role assignment(s)")
    return Status.CHANGED
