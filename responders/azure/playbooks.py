"""Azure playbooks: the AWS order, for what Azure offers (see docs/responders.md).

contain-instance:
1. protect-instance: deletion locks on the VM, its disks and interfaces.
2. snapshot-disks: incremental snapshots before anything else touches the disks, then the VHD
   copies into the evidence store.
3. isolate-instance: the isolation network security group on every interface.
4. quarantine-identity: the VM's managed identities lose every role.
5. collect-logs: Activity Log of the VM, its disks and interfaces; last, as it is retained.
"""

from __future__ import annotations

from prewire.core.vocabulary import Cloud
from responders.playbooks import (
    InstanceSteps,
    Playbook,
    PlaybookStep,
    register,
    register_instance_playbooks,
)

register_instance_playbooks(
    Cloud.AZURE,
    InstanceSteps(
        protect=PlaybookStep("protect-instance", why="nobody can delete the VM, its disks or NICs"),
        snapshot=PlaybookStep("snapshot-disks", why="point-in-time copy of every disk, then VHDs"),
        isolate=PlaybookStep("isolate-instance", why="cut the attacker off"),
        quarantine=PlaybookStep(
            "quarantine-identity", why="its managed identities lose their roles"
        ),
        logs=PlaybookStep("collect-logs", why="retained by the stack; collected last"),
    ),
    "Lock, snapshot and export disks, isolate, quarantine identities, collect logs",
)
register(
    Playbook(
        cloud=Cloud.AZURE,
        name="investigate-cluster",
        summary="Cluster state through command invoke, then its audit logs",
        target_kind="cluster",
        steps=(
            PlaybookStep("collect-cluster", why="the cluster's objects as they are now"),
            PlaybookStep("collect-logs", why="kube-audit and the API server, from the workspace"),
        ),
    )
)
