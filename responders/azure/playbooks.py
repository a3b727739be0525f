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

from prewire.vocabulary import Cloud
from responders.playbooks import Playbook, PlaybookStep, register

PROTECT = PlaybookStep("protect-instance", why="nobody can delete the VM, its disks or NICs")
SNAPSHOT = PlaybookStep("snapshot-disks", why="point-in-time copy of every disk, then VHDs")
ISOLATE = PlaybookStep("isolate-instance", why="cut the attacker off")
QUARANTINE = PlaybookStep("quarantine-identity", why="its managed identities lose their roles")
LOGS = PlaybookStep("collect-logs", why="retained by the stack; collected last")

register(
    Playbook(
        cloud=Cloud.AZURE,
        name="contain-instance",
        summary="Lock, snapshot and export disks, isolate, quarantine identities, collect logs",
        target_kind="instance",
        steps=(PROTECT, SNAPSHOT, ISOLATE, QUARANTINE, LOGS),
    )
)
register(
    Playbook(
        cloud=Cloud.AZURE,
        name="preserve-instance",
        summary="Collect evidence without changing the workload's behaviour (no isolation)",
        target_kind="instance",
        steps=(PROTECT, SNAPSHOT, LOGS),
    )
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
