"""Azure drill scenarios, on the drills framework of `prewire.drill.scenarios`."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from prewire.core.vocabulary import Cloud
from prewire.drill.azure.target import AzureAccount
from prewire.drill.azure.victim import AKS_ATTACKER_POD, ATTACKER, VICTIM_MAC
from prewire.drill.scenarios import (
    COMMON,
    Expectation,
    Scenario,
    ScenarioRun,
    not_collected,
    register,
    stored_text,
)
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


def _flow_records_collected(run: AzureRun) -> str | None:
    """The victim interface's hour blob, byte for byte, with the flow to the attacker."""
    kept = [
        a
        for entry in run.store.read_all_entries(run.case_id)
        if entry.action == "collect-logs"
        for a in entry.artifacts
        if "/flow-logs/" in a.key
    ]
    if not kept:
        return "no flow log blob kept"
    text = "".join(run.store.open(a.key).read().decode() for a in kept)
    return not_collected(
        text,
        (
            ("the flow to the attacker", f",{ATTACKER},"),
            ("the interface", VICTIM_MAC.replace("-", "")),
        ),
    )


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


def defender_alert(
    resource: str, alert_type: str, title: str, when: datetime, lasted: timedelta
) -> dict[str, Any]:
    """A High Defender for Cloud alert on `resource`, in the continuous-export schema."""
    return {
        "VendorName": "Microsoft",
        "AlertType": alert_type,
        "AlertDisplayName": f"[prewire drill] {title}",
        "ProductName": "Microsoft Defender for Cloud",
        "Severity": "High",
        "SystemAlertId": str(uuid.uuid4()),
        "CompromisedEntity": resource.rsplit("/", 1)[1],
        "StartTimeUtc": (when - lasted).isoformat(),
        "EndTimeUtc": when.isoformat(),
        "ResourceIdentifiers": [{"Type": "AzureResource", "AzureResourceId": resource}],
        "ExtendedProperties": {DRILL_MARKER: "true"},
        "IsIncident": False,
    }


def _defender_alert(account: AzureAccount, when: datetime) -> dict[str, Any]:
    return defender_alert(
        account.victim.vm_id,
        "VM_SuspiciousCommandLineExecution",
        "Suspicious command line on a VM",
        when,
        timedelta(minutes=20),
    )


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
                "the VM's VNet flow records collected",
                _flow_records_collected,
                "Deploy the stack with the VM's network in prewire:azure.networks (its flow log); "
                "the responder needs networkWatchers/flowLogs/read and the flow log account's "
                "blob read data action.",
            ),
            Expectation(
                "the VM was never stopped, restarted or deleted",
                _vm_untouched,
                "A responder sent a power or delete call to the VM: evidence in memory is lost.",
            ),
        ),
    )
)


# -- aks-compromise -------------------------------------------------------------------------------


def _cluster_alert(account: AzureAccount, when: datetime) -> dict[str, Any]:
    """A Defender for Containers alert on the workload cluster."""
    return defender_alert(
        account.victim.cluster_id,
        "K8S_ClusterAdminBinding",
        "New cluster-admin role binding in a cluster",
        when,
        timedelta(minutes=30),
    )


def _cluster_state_collected(run: AzureRun) -> str | None:
    return not_collected(
        stored_text(run, "collect-cluster", ".txt"),
        (
            ("the attacker's pod", AKS_ATTACKER_POD),
            ("the cluster-admin binding", "name: cluster-admin"),
        ),
    )


def _cluster_audit_collected(run: AzureRun) -> str | None:
    """The cluster's own kube-audit rows, and none of another cluster's."""
    text = stored_text(run, "collect-logs", "AKSAudit.json")
    cluster = run.account.victim.cluster_id.lower()
    if f'"{cluster}-other"' in text:
        return "rows of another cluster collected"
    return not_collected(
        text, (("the exec into the pod", "pods/web/exec"), ("the cluster", cluster))
    )


def _cluster_only_read(run: AzureRun) -> str | None:
    """Command invoke ran kubectl reads only, and nothing else was written to the cluster."""
    cluster = run.account.victim.cluster_id.lower()
    writes = []
    for method, path, body in run.account.fake.state.requests_since("aks-compromise"):
        if not path.lower().startswith(cluster) or method == "GET":
            continue
        command = str((body or {}).get("command", ""))
        is_read = path.lower().endswith("/runcommand") and command.startswith("kubectl get ")
        if not is_read and "/providers/microsoft.authorization/locks/" not in path.lower():
            writes.append(f"{method} {path} {command}".strip())
    return "; ".join(writes) or None


def _before_the_alert(account: AzureAccount, start: datetime) -> None:
    # The stack's deployment and the workload's own creation wrote to the cluster before.
    account.fake.state.mark("aks-compromise")


register(
    Scenario(
        name="aks-compromise",
        summary="Defender alert on an AKS cluster: its state through command invoke, its audit",
        auto_contain=True,
        response="playbook investigate-cluster",
        finding=_cluster_alert,
        prepare=_before_the_alert,
        cloud=Cloud.AZURE,
        expectations=(
            *COMMON,
            Expectation(
                "the attacker's pod and binding collected through command invoke",
                _cluster_state_collected,
                "The responder identity needs managedClusters/runCommand/action and the "
                "cluster's command invoke must be allowed (not blocked by policy).",
            ),
            Expectation(
                "the cluster's kube-audit rows collected, and only its own",
                _cluster_audit_collected,
                "List the cluster in prewire:azure.aksClusterIds so its audit diagnostics go to "
                "the stack's workspace.",
            ),
            Expectation(
                "the cluster was only read",
                _cluster_only_read,
                "collect-cluster runs kubectl reads only: any other write is a defect.",
            ),
        ),
    )
)
