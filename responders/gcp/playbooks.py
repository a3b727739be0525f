"""GCP playbooks: the AWS order, for what the GCP responders do so far (docs/responders.md).

contain-instance:
1. protect-instance: deletion protection, disks kept if the instance goes.
2. snapshot-disks: point-in-time copies before anything else touches the disks.
3. isolate-instance: the quarantine tag and no external addresses.
4. quarantine-identity: its service accounts and their keys disabled.
5. collect-logs: Cloud Logging keeps the entries; collected last.

preserve-service (a Cloud Run service): its logs and what its runtime account did; prewire does
not contain Cloud Run services. investigate-cluster (GKE): the cluster's state, then its logs.
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
    Cloud.GCP,
    InstanceSteps(
        protect=PlaybookStep("protect-instance", why="nobody can delete the instance or its disks"),
        snapshot=PlaybookStep("snapshot-disks", why="point-in-time copy of every disk"),
        isolate=PlaybookStep("isolate-instance", why="cut the attacker off"),
        quarantine=PlaybookStep(
            "quarantine-identity", why="its service accounts stop authenticating"
        ),
        logs=PlaybookStep(
            "collect-logs", why="kept by Cloud Logging and the audit bucket; collected last"
        ),
    ),
    "Protect, snapshot every disk, isolate, disable its service accounts, logs",
)
register(
    Playbook(
        cloud=Cloud.GCP,
        name="preserve-service",
        summary="A Cloud Run service's logs and its runtime account's actions (no containment)",
        target_kind="service",
        steps=(PlaybookStep("collect-logs", why="every revision's logs, before they age out"),),
    )
)
register(
    Playbook(
        cloud=Cloud.GCP,
        name="investigate-cluster",
        summary="A GKE cluster's state from its Kubernetes API, then its logs (read-only)",
        target_kind="cluster",
        steps=(
            PlaybookStep("collect-cluster", why="the cluster's objects as they are now"),
            PlaybookStep("collect-logs", why="control plane, nodes and containers, kept longer"),
        ),
    )
)
