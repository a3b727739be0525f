"""Azure drill scenarios, on the drills framework of `prewire.drill.scenarios`."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from prewire.drill.azure_target import AzureAccount
from prewire.drill.scenarios import COMMON, Expectation, Scenario, ScenarioRun, register
from prewire.vocabulary import Cloud
from responders.azure.alerts import DRILL_MARKER
from responders.azure.disk_snapshots import SNAPSHOT_TAG_CASE, SNAPSHOT_TAG_DISK

AzureRun = ScenarioRun[AzureAccount]

# Calls that would stop, restart, reimage or delete a VM or its disks: none may be sent.
DESTRUCTIVE_VM_ACTIONS = ("/poweroff", "/deallocate", "/restart", "/reimage", "/redeploy")


def _vm(run: AzureRun) -> dict[str, Any]:
    vm = run.account.fake.state.get(run.account.victim.vm_id)
    assert vm is not None, "the victim VM is gone"
    return vm


def _isolated(run: AzureRun) -> str | None:
    wanted = run.account.prewired.isolation_nsg_id.lower()
    interfaces = _vm(run)["properties"]["networkProfile"]["networkInterfaces"]
    wrong = []
    for reference in interfaces:
        nic = run.account.fake.state.get(reference["id"]) or {}
        group = ((nic.get("properties") or {}).get("networkSecurityGroup") or {}).get("id", "")
        if group.lower() != wanted:
            wrong.append(f"{reference['id'].rsplit('/', 1)[1]} has {group or 'no NSG'}")
    return "; ".join(wrong) or None


def _identities_quarantined(run: AzureRun) -> str | None:
    principals = {run.account.victim.system_principal, run.account.victim.user_principal}
    remaining = [
        a["id"]
        for a in run.account.fake.state.of_type("Microsoft.Authorization/roleAssignments")
        if a["properties"]["principalId"] in principals
    ]
    return f"{len(remaining)} role assignment(s) remain, e.g. {remaining[0]}" if remaining else None


def _disks_snapshotted_and_exported(run: AzureRun) -> str | None:
    snapshots = [
        s
        for s in run.account.fake.state.of_type("Microsoft.Compute/snapshots")
        if (s.get("tags") or {}).get(SNAPSHOT_TAG_CASE) == run.case_id
    ]
    covered = {str(s["tags"].get(SNAPSHOT_TAG_DISK, "")).lower() for s in snapshots}
    missing = [d for d in run.account.victim.disk_ids if d.lower() not in covered]
    if missing:
        return f"no snapshot tagged with the case for {', '.join(missing)}"
    vhds = [
        a
        for entry in run.store.read_all_entries(run.case_id)
        for a in entry.artifacts
        if a.key.endswith(".vhd")
    ]
    if len(vhds) < len(run.account.victim.disk_ids):
        return f"{len(vhds)} VHD(s) in the evidence store for {len(snapshots)} snapshots"
    return None


def _activity_log_collected(run: AzureRun) -> str | None:
    keys = [
        a.key
        for entry in run.store.read_all_entries(run.case_id)
        if entry.action == "collect-logs"
        for a in entry.artifacts
    ]
    return None if keys else "collect-logs stored no artifact"


def _vm_untouched(run: AzureRun) -> str | None:
    vm = run.account.victim.vm_id.lower()
    sent = [
        f"{method} {path}"
        for method, path, _ in run.account.fake.state.requests
        if path.lower().startswith(vm)
        and (
            (method == "DELETE" and path.lower().rstrip("/") == vm)
            or (method == "POST" and path.lower().endswith(DESTRUCTIVE_VM_ACTIONS))
        )
    ]
    return "; ".join(sent) or None


def _defender_alert(account: AzureAccount, when: datetime) -> dict[str, Any]:
    """A High alert on the victim VM in Defender's continuous-export schema."""
    vm = account.victim.vm_id
    return {
        "VendorName": "Microsoft",
        "AlertType": "VM_SuspiciousCommandLineExecution",
        "AlertDisplayName": "[prewire drill] Suspicious command line on a VM",
        "ProductName": "Microsoft Defender for Cloud",
        "Severity": "High",
        "SystemAlertId": str(uuid.uuid4()),
        "CompromisedEntity": vm.rsplit("/", 1)[1],
        "StartTimeUtc": (when - timedelta(minutes=20)).isoformat(),
        "EndTimeUtc": when.isoformat(),
        "ResourceIdentifiers": [{"Type": "AzureResource", "AzureResourceId": vm}],
        "ExtendedProperties": {DRILL_MARKER: "true"},
        "IsIncident": False,
    }


register(
    Scenario(
        name="azure-vm-compromise",
        summary="Defender alert on a VM: lock, snapshot and export disks, isolate, quarantine",
        auto_contain=True,
        response="playbook contain-instance",
        finding=_defender_alert,
        cloud=Cloud.AZURE,
        expectations=(
            *COMMON,
            Expectation(
                "every interface of the VM carries the isolation NSG",
                _isolated,
                "Deploy the stack's isolation NSG in the VM's location (prewire:azure.locations) "
                "and let the responder identity write network interfaces.",
            ),
            Expectation(
                "the VM's managed identities hold no role assignments",
                _identities_quarantined,
                "The responder identity needs roleAssignments/delete at the assignments' scopes.",
            ),
            Expectation(
                "every disk snapshotted with the case tag and exported as a hashed VHD",
                _disks_snapshotted_and_exported,
                "Check the responder's snapshot and beginGetAccess permissions and the evidence "
                "store's blob data role.",
            ),
            Expectation(
                "Activity Log of the VM collected",
                _activity_log_collected,
                "The responder identity needs Microsoft.Insights/eventtypes/values/read.",
            ),
            Expectation(
                "the VM was never stopped, restarted or deleted",
                _vm_untouched,
                "A responder sent a power or delete call to the VM: evidence in memory is lost.",
            ),
        ),
    )
)
