"""AWS responders. Importing the package registers every action and playbook."""

from __future__ import annotations

from prewire.core.vocabulary import Cloud
from responders.aws import (
    ec2_isolation,
    ec2_metadata,
    ec2_protection,
    ec2_snapshots,
    ecs_tasks,
    eks_cluster,
    iam_quarantine,
    lambda_preserve,
    logs_collection,
    playbooks,
    ssm_memory,
    targets,
)
from responders.aws.store import COMMON_PERMISSIONS
from responders.registry import declare_common_permissions

declare_common_permissions(Cloud.AWS, COMMON_PERMISSIONS)

__all__ = [
    "ec2_isolation",
    "ec2_metadata",
    "ec2_protection",
    "ec2_snapshots",
    "ecs_tasks",
    "eks_cluster",
    "iam_quarantine",
    "lambda_preserve",
    "logs_collection",
    "playbooks",
    "ssm_memory",
    "targets",
]
