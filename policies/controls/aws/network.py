"""VPC flow logs and the isolation and conversion security groups."""

from __future__ import annotations

from policies.catalogue import control
from policies.controls.aws.common import ACCOUNT
from prewire.core import tokens as t
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

# -- network --------------------------------------------------------------------------------------
control(
    "AWS-FLOW-001",
    "Every VPC has flow logs",
    S.HIGH,
    (E.VPC_FLOW_LOGS,),
    "Flow logs are the only record of which hosts an intruder talked to.",
    "Add a flow log for each VPC (prewire:aws.vpcIds).",
    prowler=("vpc_flow_logs_enabled",),
    checkov=("CKV2_AWS_11",),
    provided_by=(t.AWS_FLOW_LOGS,),
)


control(
    "AWS-FLOW-002",
    "Flow logs capture all traffic with extended fields",
    S.MEDIUM,
    (E.VPC_FLOW_LOGS,),
    "ACCEPT-only or REJECT-only logs miss half the story; default fields miss the instance, "
    "packet-level addresses behind NAT and direction.",
    "traffic_type=ALL and a log_format with instance-id, pkt-srcaddr, pkt-dstaddr and "
    "flow-direction.",
    provided_by=(t.AWS_FLOW_LOGS,),
)


control(
    "AWS-ISO-001",
    "Every VPC has a pre-created isolation security group",
    S.HIGH,
    (E.EC2_MEMORY, E.EC2_VOLUMES),
    "Designing a no-traffic group during an incident wastes the minutes that matter.",
    "Create a security group with no ingress and no egress rules in each VPC (prewire's "
    "IsolationGroups).",
    provided_by=(t.AWS_ISOLATION,),
    scope=ACCOUNT,
    baseline_output="aws.isolationGroups",
)


control(
    "AWS-ISO-002",
    "Every VPC has a conversion security group for cutting tracked connections",
    S.MEDIUM,
    (E.EC2_MEMORY,),
    "Swapping straight to an empty group leaves already-tracked attacker connections open.",
    "Create an allow-all conversion group per VPC, used for seconds before isolation.",
    provided_by=(t.AWS_ISOLATION,),
    scope=ACCOUNT,
    baseline_output="aws.conversionGroups",
)
