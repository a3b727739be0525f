"""Audit and evidence stores, snapshot automation and vaults."""

from __future__ import annotations

from policies.catalogue import control
from policies.controls.aws.common import ACCOUNT, STORE_SOURCES, TRAIL_SOURCES
from prewire.core import tokens as t
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

# -- audit and evidence stores --------------------------------------------------------------------
control(
    "AWS-STORE-001",
    "A locked evidence store exists",
    S.CRITICAL,
    STORE_SOURCES,
    "Responders need a place where collected evidence cannot be altered or deleted, by "
    "anyone, for the retention period.",
    "Create an S3 bucket with Object Lock in COMPLIANCE mode and a default retention "
    "(prewire's LockedBucket, purpose evidence).",
    prowler=("s3_bucket_object_lock",),
    checkov=("CKV_AWS_143",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
    scope=ACCOUNT,
    baseline_output="aws.evidenceBucket",
)


control(
    "AWS-STORE-002",
    "Audit and evidence stores are locked in COMPLIANCE mode for the retention period",
    S.HIGH,
    STORE_SOURCES,
    "GOVERNANCE mode and short retention let a privileged attacker delete logs that prove "
    "what they did.",
    "Object Lock default retention: mode COMPLIANCE, days >= prewire:retentionDays.",
    prowler=("s3_bucket_object_lock",),
    checkov=("CKV_AWS_143",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
)


control(
    "AWS-STORE-003",
    "Audit and evidence stores are versioned",
    S.HIGH,
    STORE_SOURCES,
    "Versioning keeps every write; overwrites and delete markers never lose a version.",
    "Enable bucket versioning.",
    prowler=("s3_bucket_object_versioning",),
    checkov=("CKV_AWS_21",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
)


control(
    "AWS-STORE-004",
    "Audit and evidence stores use SSE-KMS with a customer-managed key",
    S.HIGH,
    STORE_SOURCES,
    "A dedicated key limits who can read evidence and leaves a KMS trail of every read.",
    "Default encryption aws:kms with the forensic CMK.",
    prowler=("s3_bucket_kms_encryption",),
    checkov=("CKV_AWS_145",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
)


control(
    "AWS-STORE-005",
    "Audit and evidence stores block all public access",
    S.HIGH,
    STORE_SOURCES,
    "Evidence and logs reveal the environment to anyone who can read them.",
    "Add a public access block with all four settings true.",
    prowler=("s3_bucket_level_public_access_block",),
    checkov=("CKV2_AWS_6",),
    provided_by=(t.AWS_LOCKED_BUCKET, t.AWS_ACCESS_LOG_BUCKET),
)


control(
    "AWS-STORE-006",
    "Audit and evidence stores refuse unencrypted transport",
    S.MEDIUM,
    STORE_SOURCES,
    "A bucket policy denying aws:SecureTransport=false keeps evidence off plain-text connections.",
    "Add a Deny statement for s3:* when aws:SecureTransport is false.",
    prowler=("s3_bucket_secure_transport_policy",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
)


control(
    "AWS-STORE-007",
    "No lifecycle rule expires audit or access logs before the retention period",
    S.HIGH,
    (*TRAIL_SOURCES, E.VPC_FLOW_LOGS),
    "Anti-forensics by automation: a lifecycle rule silently destroys the logs an "
    "investigation needs: the audit store's, and those of every bucket a workload sends its "
    "access, load balancer, CDN or flow logs to.",
    "Remove expiration rules on audit and log buckets or set them beyond the retention period.",
    provided_by=(t.AWS_LOCKED_BUCKET,),
)


control(
    "AWS-STORE-008",
    "Audit and evidence stores have server access logging",
    S.LOW,
    STORE_SOURCES,
    "Access logs show who read evidence, including reads CloudTrail data events would not cover.",
    "Log to a separate bucket (an Object Lock bucket cannot receive access logs).",
    prowler=("s3_bucket_server_access_logging_enabled",),
    checkov=("CKV_AWS_18",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
)


# -- snapshots ------------------------------------------------------------------------------------
control(
    "AWS-SNAP-001",
    "Snapshots are automated for tagged workloads",
    S.MEDIUM,
    (E.EC2_VOLUMES,),
    "A recent snapshot shows the disk before the attacker changed it.",
    "An AWS Backup plan with a tag selection and/or a DLM policy for tagged volumes.",
    prowler=("backup_plans_exist",),
    provided_by=(t.AWS_SNAPSHOT_AUTOMATION,),
    scope=ACCOUNT,
    baseline_kinds=(t.BACKUP_SELECTION, t.DLM_POLICY),
    baseline_output="aws.snapshotLifecyclePolicyId",
)


control(
    "AWS-SNAP-002",
    "Backup vaults are locked",
    S.MEDIUM,
    (E.EC2_VOLUMES,),
    "An attacker with backup permissions deletes recovery points first.",
    "Add a Vault Lock configuration (compliance mode after its grace period).",
    provided_by=(t.AWS_SNAPSHOT_AUTOMATION,),
)
