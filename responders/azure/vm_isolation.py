"""Protect, isolate and release an Azure VM. Nothing here stops, restarts or deletes.

Protection is a `CanNotDelete` management lock on the VM, its disks and its network interfaces:
from then on nobody (an attacker with Contributor, a person, automation) can delete them until
the lock is removed, which itself needs `Microsoft.Authorization/locks/delete` and shows in the
Activity Log.

Isolation attaches the prewired isolation network security group (deny all inbound and
outbound at the top priority) to every interface, recording the group each had. Azure evaluates
a NIC's group and its subnet's group and needs both to allow a flow, so a deny-all group on the
interface cuts it off whatever the subnet allows, including the load balancer's health probes.
Azure documents that flows already established when rules change may continue until they end;
record the time of isolation and confirm with flow logs.
"""

from __future__ import annotations

from typing import Any

from azure.core.exceptions import HttpResponseError

from prewire.core.evidence.custody import utc_now
from prewire.core.vocabulary import Cloud
from responders.azure import ids
from responders.azure.case import AzureCase
from responders.azure.session import error_code
from responders.azure.targets import describe_vm
from responders.registry import Scope, action, perms
from responders.runtime import InputError, Status, Step

ISOLATED_TAG = "prewire:isolated"
CASE_TAG = "prewire:case"
LOCK_API_VERSION = "2020-05-01"
LOCK_NAME = "prewire-evidence"

READ_VM = perms("Microsoft.Compute/virtualMachines/read")
PROTECT_PERMISSIONS = perms(
    "Microsoft.Compute/virtualMachines/read",
    "Microsoft.Authorization/locks/read",
    "Microsoft.Authorization/locks/write",
)
TAG_PERMISSIONS = perms("Microsoft.Resources/tags/write")


def attached_resources(vm: dict[str, Any]) -> list[str]:
    """The VM and everything whose loss would lose evidence: its disks and interfaces."""
    properties = vm.get("properties", {})
    storage = properties.get("storageProfile", {})
    disks = [storage.get("osDisk", {}), *storage.get("dataDisks", [])]
    disk_ids = [d["managedDisk"]["id"] for d in disks if d.get("managedDisk", {}).get("id")]
    nics = [n["id"] for n in properties.get("networkProfile", {}).get("networkInterfaces", [])]
    return [vm["id"], *disk_ids, *nics]


def protect(case: AzureCase, vm: dict[str, Any], step: Step) -> bool:
    """Lock the VM, its disks and interfaces against deletion; returns whether any lock is new."""
    generic = case.clients.resources.resources
    added: list[str] = []
    for resource_id in attached_resources(vm):
        lock_id = f"{resource_id}/providers/Microsoft.Authorization/locks/{LOCK_NAME}"
        try:
            generic.get_by_id(lock_id, api_version=LOCK_API_VERSION)
            continue
        except HttpResponseError as error:
            if error.status_code != 404:
                raise
        poller = step.change(
            "Microsoft.Authorization",
            generic,
            "begin_create_or_update_by_id",
            resource_id=lock_id,
            api_version=LOCK_API_VERSION,
            parameters={
                "properties": {
                    "level": "CanNotDelete",
                    "notes": f"prewire case {case.case_id}: evidence, do not delete",
                }
            },
        )
        if poller is not None:
            poller.result()
        added.append(lock_id)
    if added:
        step.state["locks"] = added
        step.note(f"locked {len(added)} resource(s) against deletion")
    return bool(added)


@action(
    Cloud.AZURE,
    "protect-instance",
    summary="CanNotDelete locks on the VM, its disks and its network interfaces",
    target_kind="instance",
    permissions=PROTECT_PERMISSIONS,
    destructive=False,
)
def protect_instance(case: AzureCase, target: str, step: Step) -> Status:
    changed = protect(case, describe_vm(case, ids.parse(target)), step)
    if not changed:
        step.note("already protected")
    return Status.CHANGED if changed else Status.UNCHANGED


def tag(case: AzureCase, resource_id: str, tags: dict[str, str], step: Step) -> None:
    """Merge tags onto a resource through the Tags API (no write on the resource itself)."""
    poller = step.change(
        "Microsoft.Resources",
        case.clients.resources.tags,
        "begin_update_at_scope",
        scope=resource_id,
        parameters={"operation": "Merge", "properties": {"tags": tags}},
    )
    if poller is not None:
        poller.result()


def _nic(case: AzureCase, nic_id: str) -> dict[str, Any]:
    parsed = ids.parse(nic_id)
    found = case.clients.network.network_interfaces.get(parsed.resource_group, parsed.name)
    return dict(found.as_dict())


def _set_group(case: AzureCase, nic: dict[str, Any], group: str | None, step: Step) -> None:
    parsed = ids.parse(nic["id"])
    body = dict(nic)
    body["properties"] = {**nic.get("properties", {}), "networkSecurityGroup": {"id": group}}
    if group is None:
        del body["properties"]["networkSecurityGroup"]
    poller = step.change(
        "Microsoft.Network",
        case.clients.network.network_interfaces,
        "begin_create_or_update",
        resource_group_name=parsed.resource_group,
        network_interface_name=parsed.name,
        parameters=body,
    )
    if poller is not None:
        poller.result()


def _group_of(nic: dict[str, Any]) -> str | None:
    group = nic.get("properties", {}).get("networkSecurityGroup") or {}
    return str(group["id"]) if group.get("id") else None


@action(
    Cloud.AZURE,
    "isolate-instance",
    summary="Lock against deletion, then the isolation NSG on every network interface",
    target_kind="instance",
    permissions=(
        *PROTECT_PERMISSIONS,
        *TAG_PERMISSIONS,
        *perms(
            "Microsoft.Network/networkInterfaces/read",
            "Microsoft.Network/networkInterfaces/write",
            "Microsoft.Network/networkSecurityGroups/read",
        ),
        # Joining an NSG is authorized on the NSG: granted where prewire's isolation NSGs are.
        *perms("Microsoft.Network/networkSecurityGroups/join/action", scope=Scope.ISOLATION_GROUPS),
    ),
    destructive=True,
)
def isolate_instance(case: AzureCase, target: str, step: Step) -> Status:
    vm = describe_vm(case, ids.parse(target))
    isolation = case.isolation_nsg(vm["location"])
    changed = protect(case, vm, step)
    # Recorded before the swaps, so a failure halfway still leaves what release needs.
    previous: dict[str, str | None] = step.state.setdefault("network_interfaces", {})
    swapped = 0
    for nic_id in attached_resources(vm):
        if "/networkinterfaces/" not in nic_id.lower():
            continue
        nic = _nic(case, nic_id)
        current = _group_of(nic)
        if current and current.lower() == isolation.lower():
            continue
        previous[nic_id] = current
        _set_group(case, nic, isolation, step)
        swapped += 1
    if not previous:
        del step.state["network_interfaces"]
    if swapped or changed:
        tag(case, target, {ISOLATED_TAG: utc_now(), CASE_TAG: case.case_id}, step)
    if swapped:
        case.forget(target)
        step.state["contained"] = True
        step.note(f"isolated {swapped} network interface(s)")
        return Status.CHANGED
    step.note("already isolated on every network interface")
    return Status.CHANGED if changed else Status.UNCHANGED


def _recorded_groups(case: AzureCase, target: str) -> dict[str, str | None]:
    """The groups recorded by every isolation of the target, earliest first (a re-run after a
    partial failure never replaces an original group with the isolation group)."""
    merged: dict[str, str | None] = {}
    for entry in case.release_history("release-instance", target, "isolate-instance"):
        for nic, group in entry.state.get("network_interfaces", {}).items():
            merged.setdefault(nic, group)
    return merged


@action(
    Cloud.AZURE,
    "release-instance",
    summary="Restore the network security groups recorded at isolation (locks stay)",
    target_kind="instance",
    permissions=(
        *READ_VM,
        *TAG_PERMISSIONS,
        *perms(
            "Microsoft.Network/networkInterfaces/read",
            "Microsoft.Network/networkInterfaces/write",
            "Microsoft.Network/networkSecurityGroups/join/action",
        ),
    ),
    destructive=True,
    releases=True,  # joins whatever NSGs were recorded: break glass only
)
def release_instance(case: AzureCase, target: str, step: Step) -> Status:
    recorded = _recorded_groups(case, target)
    if not recorded:
        raise InputError(f"case {case.case_id} has no recorded isolation of {target}")
    changed = False
    for nic_id, group in recorded.items():
        try:
            nic = _nic(case, nic_id)
        except HttpResponseError as error:
            step.warn(f"interface {nic_id} cannot be read ({error_code(error)}); not restored")
            continue
        current = _group_of(nic)
        if (current or "").lower() != (group or "").lower():
            _set_group(case, nic, group, step)
            changed = True
    if not changed:
        step.note("already released")
        return Status.UNCHANGED
    tag(case, target, {ISOLATED_TAG: "released " + utc_now()}, step)
    case.forget(target)
    step.note("restored the recorded network security groups; deletion locks stay")
    return Status.CHANGED
