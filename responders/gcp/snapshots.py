"""Snapshot every disk of a GCE instance, labelled with the case.

One snapshot per attached disk (boot and data), named for the case and the disk so a re-run
finds it instead of taking another, labelled with the case, the instance and the disk. Snapshots
are crash-consistent per disk (GCP has no multi-disk snapshot group for zonal disks); they are
taken one after another, within seconds. The list of snapshots with their sources is stored as
evidence. With `--export-vmdk` each snapshot is also exported as a VMDK file into the evidence
bucket and hashed (`disk_export`).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from google.api_core import exceptions as google_errors

from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.gcp import ids
from responders.gcp.case import GcpCase
from responders.gcp.disk_export import export_vmdk
from responders.gcp.permissions import PERMISSIONS, VMDK_EXPORT
from responders.gcp.targets import describe
from responders.registry import Scope, action, perms
from responders.runtime import Status, Step

LABEL_CASE = "prewire-case"
LABEL_INSTANCE = "prewire-source-instance"
LABEL_DISK = "prewire-source-disk"


def label_value(text: str) -> str:
    """GCP label values: lower-case letters, digits, - and _, at most 63 characters."""
    return re.sub(r"[^a-z0-9_-]", "-", text.lower())[:63]


def snapshot_name(case_id: str, disk: str) -> str:
    """A valid, stable snapshot name for the case and disk (hashed where it would be too long)."""
    digest = hashlib.sha256(f"{case_id}/{disk}".encode()).hexdigest()[:8]
    base = re.sub(r"[^a-z0-9-]", "-", f"prewire-{case_id}-{disk}".lower())
    return f"{base[:54].rstrip('-')}-{digest}"


def _exists(case: GcpCase, name: str) -> dict[str, Any] | None:
    from google.cloud import compute_v1

    try:
        found = case.clients.snapshots.get(project=case.clients.project, snapshot=name)
    except google_errors.NotFound:
        return None
    snapshot: dict[str, Any] = compute_v1.Snapshot.to_dict(found, preserving_proto_field_name=False)
    return snapshot


@action(
    Cloud.GCP,
    "snapshot-disks",
    summary="A snapshot of every disk of the instance, labelled with the case",
    target_kind="instance",
    permissions=perms(*PERMISSIONS["snapshot-disks"])
    + perms(*VMDK_EXPORT, scope=Scope.VMDK_EXPORT),
    destructive=False,
    produces=(EvidenceSource.GCE_DISKS,),
)
def snapshot_disks(case: GcpCase, target: str, step: Step) -> Status:
    ref = ids.instance(target)
    instance = describe(case, ref)
    taken, found, names = [], [], []
    for disk in instance.get("disks") or []:
        source = str(disk.get("source", ""))
        disk_name, zone = ids.last(source), ids.zone_of(source)
        name = snapshot_name(case.case_id, disk_name)
        names.append(name)
        existing = _exists(case, name)
        if existing is not None:
            found.append(existing)
            continue
        operation = step.change(
            "compute",
            case.clients.disks,
            "create_snapshot",
            project=ref.project,
            zone=zone,
            disk=disk_name,
            snapshot_resource={
                "name": name,
                "labels": {
                    LABEL_CASE: label_value(case.case_id),
                    LABEL_INSTANCE: label_value(ref.name),
                    LABEL_DISK: label_value(disk_name),
                },
                "description": f"prewire case {case.case_id}: {disk.get('deviceName')} of {ref}",
            },
        )
        if operation is not None:
            case.clients.wait_zone(zone, operation)
            snapshot = _exists(case, name)
            if snapshot is not None:
                taken.append(snapshot)
    snapshots = [*found, *taken]
    step.state["snapshots"] = [s["name"] for s in snapshots]
    if not case.dry_run:
        case.save_json(
            step,
            "snapshots.json",
            [
                {k: s.get(k) for k in ("name", "selfLink", "sourceDisk", "diskSizeGb", "labels")}
                for s in snapshots
            ],
            "snapshots of the instance's disks",
        )
    if case.options.export_vmdk:
        # Under --dry-run the snapshots are only planned: their exports are planned by name.
        known = {s["name"]: s for s in snapshots}
        for name in names:
            export_vmdk(case, known.get(name) or {"name": name}, step)
    exported = sum(a.key.endswith(".vmdk") for a in step.artifacts)
    if not taken:
        step.note(f"{len(found)} snapshot(s) of this case already exist")
        if exported:
            step.note(f"{exported} VMDK(s) exported")
            return Status.COLLECTED
        return Status.UNCHANGED if found else Status.COLLECTED
    step.note(
        f"{len(taken)} new snapshot(s) of {len(instance.get('disks') or [])} disk(s)"
        + (f"; {exported} VMDK(s) exported" if exported else "")
    )
    return Status.CHANGED
