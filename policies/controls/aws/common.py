"""What the AWS controls share: the evidence sources a trail and a store protect."""

from __future__ import annotations

from policies.catalogue import Scope
from prewire.core.vocabulary import EvidenceSource as E

ACCOUNT = Scope.ACCOUNT


TRAIL_SOURCES = (E.CLOUDTRAIL,)


STORE_SOURCES = (
    E.CLOUDTRAIL,
    E.VPC_FLOW_LOGS,
    E.AWS_CONFIG_HISTORY,
    E.EC2_MEMORY,
    E.EC2_METADATA,
    E.LAMBDA_VERSIONS,
    E.EKS_AUDIT_LOGS,
    E.ECS_TASK_FILES,
)
