"""AWS playbooks. The order is the argument; see docs/responders.md for the reasoning.

contain-instance:
1. protect-instance: seconds; from here on nobody (attacker, person, Auto Scaling) can destroy
   the instance or its volumes.
2. snapshot-disks (started, not awaited): a crash-consistent point-in-time copy of every volume
   before anything else touches the disks.
3. collect-instance-metadata: seconds; the interfaces, groups and profile as the attacker had them.
4. capture-memory: the most volatile evidence, taken while connections still exist (isolation
   drops them, and without SSM endpoints in the VPC it would also cut the capture's path). Bounded
   by a timeout; pass `--isolate-first` to cut the attacker off before memory instead.
5. isolate-instance: out of the load balancers and Auto Scaling group, network cut.
6. quarantine-identity: the instance's credentials are refused everywhere they are used.
7. snapshot-disks (awaited, locked): the snapshot set is complete and locked.
8. collect-logs: non-volatile and retained by the stack; last.
"""

from __future__ import annotations

from prewire.core.vocabulary import Cloud
from responders.aws.eks_cluster import node_instances
from responders.playbooks import Playbook, PlaybookStep, register

START_SNAPSHOTS = PlaybookStep(
    "snapshot-disks",
    {"wait_for_snapshots": False},
    why="point-in-time copy of every volume, started early",
)
FINISH_SNAPSHOTS = PlaybookStep(
    "snapshot-disks", {"wait_for_snapshots": True}, why="wait for the set to complete, then lock it"
)
PROTECT = PlaybookStep("protect-instance", why="nothing can terminate the instance or its volumes")
METADATA = PlaybookStep("collect-instance-metadata", why="the instance as the attacker had it")
MEMORY = PlaybookStep("capture-memory", why="most volatile; before isolation drops connections")
ISOLATE = PlaybookStep("isolate-instance", why="cut the attacker off")
QUARANTINE = PlaybookStep("quarantine-identity", why="its credentials stop working everywhere")
LOGS = PlaybookStep("collect-logs", why="retained by the stack; collected last")


register(
    Playbook(
        cloud=Cloud.AWS,
        name="contain-instance",
        summary="Protect, snapshot, collect, capture memory, isolate, quarantine, collect logs",
        target_kind="instance",
        steps=(
            PROTECT,
            START_SNAPSHOTS,
            METADATA,
            MEMORY,
            ISOLATE,
            QUARANTINE,
            FINISH_SNAPSHOTS,
            LOGS,
        ),
        variants={
            "isolate-first": (
                PROTECT,
                START_SNAPSHOTS,
                METADATA,
                ISOLATE,
                QUARANTINE,
                MEMORY,
                FINISH_SNAPSHOTS,
                LOGS,
            ),
        },
    )
)

register(
    Playbook(
        cloud=Cloud.AWS,
        name="contain-fleet",
        summary="Many instances at once: each cut off, then snapshotted; protected once all are",
        target_kind="instance",
        steps=(
            PlaybookStep(
                "isolate-instance",
                {"network_only": True},
                why="containment first: every instance cut off before any evidence step",
            ),
            START_SNAPSHOTS,
            PlaybookStep(
                "protect-instance",
                after_all=True,
                why="after every instance is cut off: protection shares the swap's API bucket",
            ),
        ),
        step_major=True,
    )
)

register(
    Playbook(
        cloud=Cloud.AWS,
        name="preserve-instance",
        summary="Collect evidence without changing the workload's behaviour (no isolation)",
        target_kind="instance",
        steps=(PROTECT, START_SNAPSHOTS, METADATA, MEMORY, FINISH_SNAPSHOTS, LOGS),
    )
)

register(
    Playbook(
        cloud=Cloud.AWS,
        name="contain-credentials",
        summary="Quarantine a leaked identity and collect its CloudTrail activity",
        target_kind="identity",
        steps=(QUARANTINE, LOGS),
    )
)

register(
    Playbook(
        cloud=Cloud.AWS,
        name="freeze-function",
        summary="Preserve every version of a function and stop new invocations",
        target_kind="function",
        steps=(PlaybookStep("preserve-function", {"contain_function": True}),),
    )
)

register(
    Playbook(
        cloud=Cloud.AWS,
        name="investigate-cluster",
        summary="Cluster logs and configuration, then protect and snapshot every node",
        target_kind="eks-cluster",
        steps=(
            PlaybookStep("collect-cluster"),
            PlaybookStep("protect-instance", expand=node_instances),
            PlaybookStep("snapshot-disks", {"wait_for_snapshots": True}, expand=node_instances),
        ),
    )
)
