"""The IAM permissions each GCP responder verb needs: the one list the stack's responder role is
generated from and the GCP actions declare.

Notes that shaped the list: a running VM's service account cannot be changed (GCP requires the
VM stopped), so `quarantine-identity` disables the service account and its keys instead of
detaching it; `isolate-instance` adds the quarantine network tag and removes external access
configs, both possible while the VM runs.
"""

from __future__ import annotations

DISCOVERY = ("storage.buckets.list", "compute.firewalls.list")
"""Finding the evidence bucket by its label and the quarantine rules: project-wide."""
EVIDENCE = (
    "storage.buckets.get",
    "storage.objects.create",
    "storage.objects.get",
    "storage.objects.list",
    "storage.objects.update",
)
"""Reading and writing evidence: granted on the evidence bucket only."""
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


VMDK_EXPORT = ("cloudbuild.builds.create", "cloudbuild.builds.get")
"""`snapshot-disks --export-vmdk`: the export runs as Cloud Build's service account, which does
the rest. Creating a build is running any step as that account (Compute Admin once export is set
up, often Editor by default), so the responder holds these only where the stack enables export."""


def responder_permissions(*, vmdk_export: bool = False) -> list[str]:
    """The responder's project-wide role: containment and collection, sorted, once each. What
    undoes a containment is break glass's (`break_glass_permissions`); Cloud Build only with VMDK
    export; the evidence permissions (`EVIDENCE`) are a role of their own on the evidence bucket."""
    from prewire.core.vocabulary import Cloud
    from responders.registry import Scope, required_permissions

    return sorted(
        {
            p.action
            for p in required_permissions(Cloud.GCP, releases=False)
            if (vmdk_export or p.scope is not Scope.VMDK_EXPORT)
            and p.scope is not Scope.EVIDENCE_OBJECTS
        }
    )


def break_glass_permissions(*, vmdk_export: bool = False) -> list[str]:
    """Every responder permission, release and evidence included, project-wide."""
    from prewire.core.vocabulary import Cloud
    from responders.registry import release_permissions

    released = {p.action for p in release_permissions(Cloud.GCP)}
    return sorted(set(responder_permissions(vmdk_export=vmdk_export)) | released | set(EVIDENCE))
