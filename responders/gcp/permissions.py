"""The IAM permissions each GCP responder verb needs: the one list the stack's responder role is
generated from and the GCP actions declare.

Notes that shaped the list: a running VM's service account cannot be changed (GCP requires the
VM stopped), so `quarantine-identity` disables the service account and its keys instead of
detaching it; `isolate-instance` adds the quarantine network tag and removes external access
configs, both possible while the VM runs.
"""

from __future__ import annotations

EVIDENCE = (
    "storage.buckets.get",
    "storage.buckets.list",
    "storage.objects.create",
    "storage.objects.get",
    "storage.objects.list",
    "storage.objects.update",
    "compute.firewalls.list",
)
PERMISSIONS: dict[str, tuple[str, ...]] = {
    "protect-instance": (
        "compute.instances.get",
        "compute.instances.setDeletionProtection",
        "compute.zoneOperations.get",
    ),
    "isolate-instance": (
        "compute.instances.get",
        "compute.instances.setTags",
        "compute.instances.deleteAccessConfig",
        "compute.zoneOperations.get",
    ),
    "release-instance": (
        "compute.instances.get",
        "compute.instances.setTags",
        "compute.instances.addAccessConfig",
        "compute.subnetworks.useExternalIp",
        "compute.zoneOperations.get",
    ),
    "quarantine-identity": (
        "compute.instances.get",
        "iam.serviceAccounts.get",
        "iam.serviceAccounts.disable",
        "iam.serviceAccountKeys.list",
        "iam.serviceAccountKeys.disable",
    ),
    "release-identity": (
        "iam.serviceAccounts.get",
        "iam.serviceAccounts.enable",
        "iam.serviceAccountKeys.list",
        "iam.serviceAccountKeys.enable",
    ),
    "snapshot-disks": (
        "compute.instances.get",
        "compute.disks.get",
        "compute.disks.createSnapshot",
        "compute.snapshots.create",
        "compute.snapshots.get",
        "compute.snapshots.setLabels",
        # --export-vmdk: the export runs as Cloud Build's service account, which does the rest.
        "cloudbuild.builds.create",
        "cloudbuild.builds.get",
        "compute.globalOperations.get",
        "compute.zoneOperations.get",
    ),
    "collect-logs": (
        "logging.logEntries.list",
        "logging.privateLogEntries.list",
        "run.services.get",
    ),
    "collect-cluster": (
        "container.clusters.get",
        "container.nodes.list",
        "container.pods.list",
        "container.pods.get",
        "container.pods.getLogs",
        "container.events.list",
    ),
}


def responder_permissions() -> list[str]:
    """Every verb's permissions and the evidence store's, sorted, once each."""
    return sorted({p for verb in PERMISSIONS.values() for p in verb} | set(EVIDENCE))
