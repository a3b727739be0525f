"""Incremental snapshots of every managed disk of a VM, tagged with the case and locked, then
exported as VHDs into the evidence store.

A snapshot stays in Azure (where an investigator can mount it in an analysis VM); the VHD
copy is the evidence of record: Azure grants a read-only SAS to the snapshot for a limited
time, the bytes stream through here into the evidence container in 32 MiB blocks, and the
SHA-256 is computed while they pass, kept with the blob and in the custody log. The grant is
revoked when the copy ends, whatever happened.
"""

from __future__ import annotations

import re
from typing import Any

from azure.core.exceptions import ResourceNotFoundError

from prewire.core.evidence.custody import utc_now
from prewire.core.evidence.layout import stream_of
from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.azure import ids
from responders.azure.case import AzureCase
from responders.azure.targets import describe_vm
from responders.azure.vm_isolation import LOCK_API_VERSION, LOCK_NAME
from responders.registry import Scope, action, perms
from responders.runtime import Status, Step

SNAPSHOT_TAG_CASE = "prewire:case"
SNAPSHOT_TAG_VM = "prewire:source-vm"
SNAPSHOT_TAG_DISK = "prewire:source-disk"
SNAPSHOT_TAG_TIME = "prewire:taken-at"
MIN_GRANT_SECONDS = 3600
ASSUMED_COPY_RATE = 50 * 1024 * 1024  # bytes per second, to size the SAS lifetime


def snapshot_name(case_id: str, disk_name: str) -> str:
    """Azure snapshot names: at most 80 of letters, digits, '_', '-', '.'."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", f"prewire-{case_id}-{disk_name}")[:80]


def disks_of(vm: dict[str, Any]) -> list[tuple[str, str]]:
    """(disk id, role) for the OS disk and each data disk (LUN)."""
    storage = vm.get("properties", {}).get("storageProfile", {})
    found = []
    os_disk = storage.get("osDisk", {}).get("managedDisk", {}).get("id")
    if os_disk:
        found.append((os_disk, "os"))
    for data in storage.get("dataDisks", []):
        disk = data.get("managedDisk", {}).get("id")
        if disk:
            found.append((disk, f"lun{data.get('lun', '?')}"))
    return found


def _snapshot_group(case: AzureCase, disk: ids.ResourceId) -> str:
    """Snapshots go to the prewire resource group (beside the evidence store) when known, away
    from the compromised workload's group; otherwise beside the disk."""
    if case.prewired.evidence_account_id:
        return ids.parse(case.prewired.evidence_account_id).resource_group
    return disk.resource_group


def _take(
    case: AzureCase, vm_id: str, disk_id: str, step: Step
) -> tuple[dict[str, Any] | None, bool]:
    """(the case's snapshot of the disk, whether it is new); (None, True) under dry-run."""
    disk = ids.parse(disk_id)
    group, name = _snapshot_group(case, disk), snapshot_name(case.case_id, disk.name)
    snapshots = case.clients.compute.snapshots
    try:
        return dict(snapshots.get(group, name).as_dict()), False
    except ResourceNotFoundError:
        pass
    source = case.clients.compute.disks.get(disk.resource_group, disk.name)
    poller = step.change(
        "Microsoft.Compute",
        snapshots,
        "begin_create_or_update",
        resource_group_name=group,
        snapshot_name=name,
        snapshot={
            "location": source.location,
            "tags": {
                SNAPSHOT_TAG_CASE: case.case_id,
                SNAPSHOT_TAG_VM: vm_id,
                SNAPSHOT_TAG_DISK: disk_id,
                SNAPSHOT_TAG_TIME: utc_now(),
            },
            "properties": {
                "creationData": {"createOption": "Copy", "sourceResourceId": disk_id},
                "incremental": True,
            },
        },
    )
    return (None if poller is None else dict(poller.result().as_dict())), True


def _lock(case: AzureCase, snapshot_id: str, step: Step) -> None:
    generic = case.clients.resources.resources
    poller = step.change(
        "Microsoft.Authorization",
        generic,
        "begin_create_or_update_by_id",
        resource_id=f"{snapshot_id}/providers/Microsoft.Authorization/locks/{LOCK_NAME}",
        api_version=LOCK_API_VERSION,
        parameters={"properties": {"level": "CanNotDelete", "notes": f"case {case.case_id}"}},
    )
    if poller is not None:
        poller.result()


def _export(case: AzureCase, snapshot: dict[str, Any], role: str, step: Step) -> None:
    """Copy the snapshot as a VHD into the evidence store, hashing it on the way."""
    store = case.require_store()
    parsed = ids.parse(snapshot["id"])
    key = store.artifact_key(case.case_id, step.target, step.action, f"{role}-{parsed.name}.vhd")
    if store.exists(key):
        step.note(f"{parsed.name} already exported")
        return
    if case.dry_run:
        step.planned_artifact(key)
        return
    size = int(snapshot.get("properties", {}).get("diskSizeBytes") or 0)
    seconds = max(MIN_GRANT_SECONDS, size // ASSUMED_COPY_RATE * 2)
    snapshots = case.clients.compute.snapshots
    grant = step.change(
        "Microsoft.Compute",
        snapshots,
        "begin_grant_access",
        resource_group_name=parsed.resource_group,
        snapshot_name=parsed.name,
        grant_access_data={"access": "Read", "durationInSeconds": seconds},
    )
    try:
        sas = str(grant.result().access_sas)
        downloader = case.clients.blob_at(sas).download_blob()
        task = case.progress.task(f"export {parsed.name}", total=downloader.size or size or None)
        copied = 0

        def chunks() -> Any:
            nonlocal copied
            for chunk in downloader.chunks():
                copied += len(chunk)
                task.update(copied)
                yield chunk

        artifact = store.put_stream(key, stream_of(chunks()), f"VHD of {role} disk snapshot")
        task.close()
        step.artifacts.append(artifact)
    finally:
        revoke = step.change(
            "Microsoft.Compute",
            snapshots,
            "begin_revoke_access",
            resource_group_name=parsed.resource_group,
            snapshot_name=parsed.name,
        )
        if revoke is not None:
            revoke.result()


@action(
    Cloud.AZURE,
    "snapshot-disks",
    summary="Incremental, locked snapshots of every disk, exported as hashed VHDs to evidence",
    target_kind="instance",
    permissions=(
        *perms(
            "Microsoft.Compute/virtualMachines/read",
            "Microsoft.Compute/disks/read",
            "Microsoft.Compute/snapshots/read",
            "Microsoft.Compute/snapshots/write",
            "Microsoft.Compute/snapshots/beginGetAccess/action",
            "Microsoft.Compute/snapshots/endGetAccess/action",
            "Microsoft.Authorization/locks/write",
        ),
        *perms(
            "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write",
            scope=Scope.EVIDENCE_OBJECTS,
        ),
    ),
    destructive=False,
    produces=(EvidenceSource.AZURE_VM_DISKS,),
)
def snapshot_disks(case: AzureCase, target: str, step: Step) -> Status:
    vm = describe_vm(case, ids.parse(target))
    disks = disks_of(vm)
    if not disks:
        step.note("the VM has no managed disks")
        return Status.UNCHANGED
    taken = 0
    snapshots: list[tuple[dict[str, Any], str]] = []
    for disk_id, role in disks:
        snapshot, new = _take(case, target, disk_id, step)
        taken += new
        if snapshot is None:  # dry run: planned only
            continue
        if new:
            _lock(case, snapshot["id"], step)
        snapshots.append((snapshot, role))
    if snapshots:
        step.state["snapshots"] = {role: s["id"] for s, role in snapshots}
    if case.options.export_vhd:
        for snapshot, role in snapshots:
            _export(case, snapshot, role, step)
    step.note(
        f"{taken} new snapshot(s) of {len(disks)} disk(s)"
        + (f"; {len(step.artifacts)} VHD(s) exported" if case.options.export_vhd else "")
    )
    return Status.CHANGED if taken or step.artifacts else Status.UNCHANGED
