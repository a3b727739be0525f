"""Azure responders. Importing the package registers every action and playbook."""

from __future__ import annotations

from prewire.core.vocabulary import Cloud
from responders.azure import (
    aks_cluster,
    disk_snapshots,
    identity_quarantine,
    logs_collection,
    playbooks,
    targets,
    vm_isolation,
)
from responders.azure.store import COMMON_PERMISSIONS
from responders.registry import declare_common_permissions

declare_common_permissions(Cloud.AZURE, COMMON_PERMISSIONS)

__all__ = [
    "aks_cluster",
    "disk_snapshots",
    "identity_quarantine",
    "logs_collection",
    "playbooks",
    "targets",
    "vm_isolation",
]
