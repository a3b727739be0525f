"""GCP responders. Importing the package registers every action and playbook.

Written so far: protect-, isolate- and release-instance, quarantine- and release-identity,
snapshot-disks, collect-logs, collect-cluster and the contain- and preserve-instance playbooks.
"""

from __future__ import annotations

from prewire.core.vocabulary import Cloud
from responders.gcp import cluster, identity, instances, logs, playbooks, snapshots, targets
from responders.gcp.permissions import DISCOVERY, EVIDENCE
from responders.registry import Scope, declare_common_permissions, perms

declare_common_permissions(
    Cloud.GCP, perms(*DISCOVERY) + perms(*EVIDENCE, scope=Scope.EVIDENCE_OBJECTS)
)

__all__ = ["cluster", "identity", "instances", "logs", "playbooks", "snapshots", "targets"]
