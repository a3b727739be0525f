"""The quarantine policy, break-glass roles and the responder identity."""

from __future__ import annotations

from policies.catalogue import control
from policies.controls.aws.common import ACCOUNT
from prewire.core import tokens as t
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

# -- identity -------------------------------------------------------------------------------------
control(
    "AWS-IAM-001",
    "A quarantine deny-all policy exists",
    S.HIGH,
    (E.CLOUDTRAIL,),
    "Containing a stolen identity must be one attach call, not a policy written under pressure.",
    "Create a managed policy that denies every action on every resource.",
    provided_by=(t.AWS_IDENTITIES,),
    scope=ACCOUNT,
    baseline_output="aws.quarantinePolicyArn",
)


control(
    "AWS-IAM-002",
    "A break-glass role exists and requires MFA",
    S.HIGH,
    (E.CLOUDTRAIL,),
    "Responders need guaranteed access during an incident, and that access must not be "
    "usable with a stolen password alone.",
    "A role trusting named principals only with aws:MultiFactorAuthPresent.",
    provided_by=(t.AWS_IDENTITIES,),
    scope=ACCOUNT,
    baseline_output="aws.breakGlassRoleArn",
)


control(
    "AWS-IAM-003",
    "Break-glass sessions last at most one hour",
    S.MEDIUM,
    (E.CLOUDTRAIL,),
    "Short sessions bound how long leaked break-glass credentials work.",
    "max_session_duration <= 3600 on the break-glass role.",
    provided_by=(t.AWS_IDENTITIES,),
)


control(
    "AWS-IAM-004",
    "Every break-glass assumption raises an alert",
    S.MEDIUM,
    (E.CLOUDTRAIL,),
    "Use of break-glass access is either an incident or must be explained.",
    "An EventBridge rule matching AssumeRole of the break-glass role, with a target.",
    provided_by=(t.AWS_IDENTITIES,),
)


control(
    "AWS-IAM-005",
    "The responder role holds no wildcard permissions, attaches only the quarantine policy and "
    "sends only prewire's SSM documents",
    S.HIGH,
    (E.CLOUDTRAIL,),
    "A compromised responder with admin rights is the worst possible attacker.",
    "Generate the responder policy from the actions' declared permissions (prewire does).",
    checkov=("CKV_AWS_274",),
    provided_by=(t.AWS_IDENTITIES,),
)
