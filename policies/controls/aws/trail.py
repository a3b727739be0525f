"""CloudTrail, and how long CloudWatch log groups keep evidence."""

from __future__ import annotations

from policies.catalogue import control
from policies.controls.aws.common import ACCOUNT, TRAIL_SOURCES
from prewire.core import tokens as t
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

# -- CloudTrail -----------------------------------------------------------------------------------
control(
    "AWS-TRAIL-001",
    "A multi-region CloudTrail trail is logging",
    S.CRITICAL,
    TRAIL_SOURCES,
    "Without a trail covering every region, API activity in an unused region (where attackers "
    "like to work) is never recorded.",
    "Create a trail with is_multi_region_trail=true and logging enabled (prewire's AuditTrail).",
    prowler=("cloudtrail_multi_region_enabled",),
    checkov=("CKV_AWS_67",),
    provided_by=(t.AWS_AUDIT_TRAIL,),
    scope=ACCOUNT,
    baseline_kinds=(t.CLOUDTRAIL,),
    baseline_output="aws.trailArn",
)


control(
    "AWS-TRAIL-002",
    "CloudTrail log file validation is enabled",
    S.HIGH,
    TRAIL_SOURCES,
    "Digest files prove in court that delivered logs were not altered or deleted.",
    "Set enable_log_file_validation=true on the trail.",
    prowler=("cloudtrail_log_file_validation_enabled",),
    checkov=("CKV_AWS_36",),
    provided_by=(t.AWS_AUDIT_TRAIL,),
)


control(
    "AWS-TRAIL-003",
    "CloudTrail logs are encrypted with a customer-managed KMS key",
    S.HIGH,
    TRAIL_SOURCES,
    "A dedicated key lets you restrict and audit who can read the audit logs.",
    "Set kms_key_id on the trail to a CMK whose policy lets CloudTrail encrypt.",
    prowler=("cloudtrail_kms_encryption_enabled",),
    checkov=("CKV_AWS_35",),
    provided_by=(t.AWS_AUDIT_TRAIL,),
)


control(
    "AWS-TRAIL-004",
    "CloudTrail delivers to CloudWatch Logs",
    S.MEDIUM,
    TRAIL_SOURCES,
    "Delivery to CloudWatch Logs enables alerting and a second copy investigators can query.",
    "Set cloud_watch_logs_group_arn and cloud_watch_logs_role_arn on the trail.",
    prowler=("cloudtrail_cloudwatch_logging_enabled",),
    checkov=("CKV2_AWS_10",),
    provided_by=(t.AWS_AUDIT_TRAIL,),
)


control(
    "AWS-TRAIL-005",
    "CloudTrail records S3 object-level events",
    S.MEDIUM,
    TRAIL_SOURCES,
    "Management events do not show who read or wrote which object; data events do, "
    "including access to the evidence and audit stores themselves.",
    "Add an advanced event selector for AWS::S3::Object (at least the audit and evidence buckets).",
    prowler=("cloudtrail_s3_dataevents_read_enabled", "cloudtrail_s3_dataevents_write_enabled"),
    provided_by=(t.AWS_AUDIT_TRAIL,),
)


control(
    "AWS-TRAIL-006",
    "CloudTrail records Lambda invocations",
    S.MEDIUM,
    (E.CLOUDTRAIL, E.LAMBDA_LOGS),
    "Invoke data events show who ran a function and when, which its own logs do not.",
    "Add an advanced event selector for AWS::Lambda::Function data events.",
    provided_by=(t.AWS_AUDIT_TRAIL,),
)


control(
    "AWS-TRAIL-007",
    "CloudTrail includes global service events",
    S.HIGH,
    TRAIL_SOURCES,
    "IAM and STS activity (new users, keys, role assumptions) is a global service event.",
    "Set include_global_service_events=true.",
    provided_by=(t.AWS_AUDIT_TRAIL,),
)


control(
    "AWS-LOGS-001",
    "CloudWatch log groups keep logs for the retention period",
    S.MEDIUM,
    (E.LAMBDA_LOGS, E.EKS_AUDIT_LOGS, E.ECS_TASK_LOGS, E.CLOUDTRAIL),
    "Short retention is anti-forensics by configuration.",
    "retention_in_days >= prewire:retentionDays (or never expire).",
    prowler=("cloudwatch_log_group_retention_policy_specific_days_enabled",),
    checkov=("CKV_AWS_338",),
    provided_by=(t.AWS_AUDIT_TRAIL, t.AWS_RESPONSE),
)
