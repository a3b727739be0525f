"""GuardDuty and AWS Config."""

from __future__ import annotations

from policies.catalogue import control
from policies.controls.aws.common import ACCOUNT
from prewire.core import tokens as t
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

# -- detection ------------------------------------------------------------------------------------
control(
    "AWS-GUARDDUTY-001",
    "GuardDuty is enabled",
    S.HIGH,
    (E.CLOUDTRAIL, E.VPC_FLOW_LOGS),
    "Findings are what trigger the prewired responders.",
    "Enable a GuardDuty detector.",
    prowler=("guardduty_is_enabled",),
    checkov=("CKV2_AWS_3",),
    provided_by=(t.AWS_THREAT_DETECTION,),
    scope=ACCOUNT,
    baseline_kinds=(t.GUARDDUTY_DETECTOR,),
    baseline_output="aws.guardDutyDetectorId",
)


control(
    "AWS-GUARDDUTY-002",
    "GuardDuty watches EKS audit logs and runtime activity",
    S.MEDIUM,
    (E.EKS_AUDIT_LOGS, E.EKS_NODE_FILESYSTEM),
    "Container compromises are invisible to the network and API detectors alone.",
    "Enable the EKS_AUDIT_LOGS and RUNTIME_MONITORING detector features.",
    prowler=("guardduty_eks_audit_log_enabled",),
    provided_by=(t.AWS_THREAT_DETECTION,),
)


control(
    "AWS-CONFIG-001",
    "AWS Config records all resources",
    S.MEDIUM,
    (E.AWS_CONFIG_HISTORY,),
    "Configuration history shows what a resource looked like when it was compromised, and "
    "what else changed.",
    "Create a recorder for all supported resources, a delivery channel and start recording.",
    prowler=("config_recorder_all_regions_enabled",),
    checkov=("CKV2_AWS_48",),
    provided_by=(t.AWS_THREAT_DETECTION,),
    scope=ACCOUNT,
    baseline_kinds=(t.CONFIG_RECORDER,),
    baseline_output="aws.configRoleArn",
)
