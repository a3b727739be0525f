"""Instances: Session Manager logging, kept volumes and termination lifecycle hooks."""

from __future__ import annotations

from policies.catalogue import control
from policies.controls.aws.common import ACCOUNT
from prewire.core import tokens as t
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

control(
    "AWS-SSM-001",
    "Session Manager sessions are logged",
    S.LOW,
    (E.SSM_SESSION_LOGS,),
    "Session Manager is a shell on your instances; its sessions must leave a record.",
    "Own SSM-SessionManagerRunShell with CloudWatch or S3 logging enabled.",
    provided_by=(t.AWS_RESPONSE,),
    scope=ACCOUNT,
    baseline_output="aws.sessionLogGroup",
)


control(
    "AWS-EBS-001",
    "Volumes of critical instances survive termination",
    S.HIGH,
    (E.EC2_VOLUMES,),
    "Terminating a compromised instance (by a person, an attacker or scaling) would delete "
    "its disks with the evidence on them.",
    "delete_on_termination=false for every volume of instances tagged prewire:critical=true.",
)


control(
    "AWS-ASG-001",
    "Critical Auto Scaling groups hold terminating instances for evidence",
    S.LOW,
    (E.EC2_VOLUMES, E.EC2_MEMORY),
    "A scale-in terminates a compromised instance before anyone looks at it.",
    "Add a lifecycle hook on autoscaling:EC2_INSTANCE_TERMINATING to groups tagged "
    "prewire:critical=true.",
)
