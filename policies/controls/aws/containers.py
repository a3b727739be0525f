"""EKS control-plane and container logs, ECS Exec and task logs."""

from __future__ import annotations

from policies.catalogue import control
from prewire.core import tokens as t
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

# -- workloads ------------------------------------------------------------------------------------
control(
    "AWS-EKS-001",
    "EKS clusters log all five control-plane log types",
    S.HIGH,
    (E.EKS_AUDIT_LOGS, E.EKS_CONTROL_PLANE_LOGS),
    "Audit logs show who exec'd into which pod; control-plane logs that were off are gone.",
    "enabled_cluster_log_types = api, audit, authenticator, controllerManager, scheduler.",
    prowler=("eks_control_plane_logging_all_types_enabled",),
    checkov=("CKV_AWS_37",),
    provided_by=(t.AWS_EKS_LOGGING,),
)


control(
    "AWS-EKS-002",
    "EKS control-plane logs are kept for the retention period",
    S.MEDIUM,
    (E.EKS_AUDIT_LOGS, E.EKS_CONTROL_PLANE_LOGS),
    "EKS creates its log group with no retention set only if you let it; a short retention "
    "deletes the audit trail.",
    "Declare /aws/eks/<cluster>/cluster with retention >= prewire:retentionDays.",
    provided_by=(t.AWS_EKS_LOGGING,),
)


control(
    "AWS-EKS-003",
    "EKS container logs are shipped off the nodes",
    S.MEDIUM,
    (E.EKS_CONTAINER_LOGS,),
    "Pod logs live on the node and die with the pod; an attacker deletes a pod to erase them.",
    "Install the amazon-cloudwatch-observability add-on (Container Insights) or another "
    "shipper writing to /aws/containerinsights/<cluster>/application.",
    provided_by=(t.AWS_EKS_LOGGING,),
)


control(
    "AWS-ECS-001",
    "ECS Exec sessions are logged",
    S.MEDIUM,
    (E.ECS_TASK_LOGS,),
    "Interactive sessions into containers are the attacker's shell; log them.",
    "Cluster execute_command_configuration logging = DEFAULT or OVERRIDE with a destination.",
    checkov=("CKV_AWS_223",),
)


control(
    "AWS-ECS-002",
    "ECS containers send logs to a log driver",
    S.MEDIUM,
    (E.ECS_TASK_LOGS,),
    "Container stdout is lost with the task unless a log driver ships it.",
    "Set logConfiguration (e.g. awslogs) on every container definition.",
    prowler=("ecs_task_definitions_logging_enabled",),
)
