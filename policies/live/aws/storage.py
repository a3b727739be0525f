"""Evidence stores and snapshot automation and vaults, as deployed."""

from __future__ import annotations

import json
from typing import Any

import botocore.exceptions

from policies.live.aws.common import as_resource, context_of, optional
from policies.live.aws.context import AwsLiveContext
from policies.live.aws.trail import trails
from policies.live.engine import LiveVerdict, failed, live_check, passed, unknown, verdict
from policies.static.aws import common as common_rules
from policies.static.engine import statements
from prewire.core.graph import Resource
from responders.aws.session import is_api_gap


def stores(ctx: AwsLiveContext) -> list[str]:
    names = {t["S3BucketName"] for t in trails(ctx) if t.get("S3BucketName")}
    names |= {n for n in (ctx.prewired.evidence_bucket, ctx.prewired.audit_bucket) if n}
    return sorted(names)


def bucket_lock(ctx: AwsLiveContext, bucket: str) -> Resource | None:
    found = optional(ctx.clients.s3.get_object_lock_configuration, Bucket=bucket)
    if found is None:
        return None
    return as_resource("lock", bucket, found["ObjectLockConfiguration"])


def _per_store(ctx: AwsLiveContext, problem: Any) -> list[LiveVerdict]:
    return [verdict(f"arn:aws:s3:::{b}", problem(b)) for b in stores(ctx)]


@live_check("AWS-STORE-001", account_wide=True)
def locked_evidence(ctx: AwsLiveContext) -> list[LiveVerdict]:
    bucket = ctx.prewired.evidence_bucket
    if not bucket:
        return [failed(None, "no evidence bucket published at /prewire/aws/evidence-bucket")]
    lock = bucket_lock(ctx, bucket)
    mode, _ = common_rules.lock_settings(lock) if lock else (None, 0)
    return [
        verdict(
            f"arn:aws:s3:::{bucket}",
            None if mode == "COMPLIANCE" else f"evidence bucket lock mode is {mode or 'off'}",
        )
    ]


@live_check("AWS-STORE-002", account_wide=True)
def stores_locked(ctx: AwsLiveContext) -> list[LiveVerdict]:
    def problem(bucket: str) -> str | None:
        lock = bucket_lock(ctx, bucket)
        return common_rules.lock_problem(lock, context_of(ctx)) if lock else "no Object Lock"

    return _per_store(ctx, problem)


@live_check("AWS-STORE-003", account_wide=True)
def stores_versioned(ctx: AwsLiveContext) -> list[LiveVerdict]:
    return _per_store(
        ctx,
        lambda b: (
            None
            if ctx.clients.s3.get_bucket_versioning(Bucket=b).get("Status") == "Enabled"
            else "versioning is not enabled"
        ),
    )


@live_check("AWS-STORE-004", account_wide=True)
def stores_kms(ctx: AwsLiveContext) -> list[LiveVerdict]:
    def problem(bucket: str) -> str | None:
        found = optional(ctx.clients.s3.get_bucket_encryption, Bucket=bucket)
        for rule in (found or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", []):
            default = rule.get("ApplyServerSideEncryptionByDefault", {})
            if default.get("SSEAlgorithm", "").startswith("aws:kms") and default.get(
                "KMSMasterKeyID"
            ):
                return None
        return "no default SSE-KMS with a customer-managed key"

    return _per_store(ctx, problem)


@live_check("AWS-STORE-005", account_wide=True)
def stores_private(ctx: AwsLiveContext) -> list[LiveVerdict]:
    def problem(bucket: str) -> str | None:
        found = optional(ctx.clients.s3.get_public_access_block, Bucket=bucket)
        settings = (found or {}).get("PublicAccessBlockConfiguration", {})
        missing = [
            k
            for k in (
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            )
            if not settings.get(k)
        ]
        return f"public access not fully blocked: {', '.join(missing)}" if missing else None

    return _per_store(ctx, problem)


@live_check("AWS-STORE-006", account_wide=True)
def stores_tls(ctx: AwsLiveContext) -> list[LiveVerdict]:
    def problem(bucket: str) -> str | None:
        found = optional(ctx.clients.s3.get_bucket_policy, Bucket=bucket)
        document = json.loads(found["Policy"]) if found else {}
        for statement in statements(document):
            secure = ((statement.get("Condition") or {}).get("Bool") or {}).get(
                "aws:SecureTransport"
            )
            if statement.get("Effect") == "Deny" and str(secure).lower() == "false":
                return None
        return "no bucket policy denying requests without TLS"

    return _per_store(ctx, problem)


@live_check("AWS-STORE-007", account_wide=True)
def stores_not_expired(ctx: AwsLiveContext) -> list[LiveVerdict]:
    def problem(bucket: str) -> str | None:
        found = optional(ctx.clients.s3.get_bucket_lifecycle_configuration, Bucket=bucket)
        if not found:
            return None
        return common_rules.lifecycle_problem(
            as_resource("lifecycle", bucket, found), context_of(ctx)
        )

    return _per_store(ctx, problem)


@live_check("AWS-STORE-008", account_wide=True)
def stores_logged(ctx: AwsLiveContext) -> list[LiveVerdict]:
    return _per_store(
        ctx,
        lambda b: (
            None
            if ctx.clients.s3.get_bucket_logging(Bucket=b).get("LoggingEnabled")
            else "no server access logging"
        ),
    )


@live_check("AWS-SNAP-001")
def snapshot_automation(ctx: AwsLiveContext) -> list[LiveVerdict]:
    backup = ctx.clients.client("backup")
    plans = backup.list_backup_plans()["BackupPlansList"]
    selected = []
    gaps = []
    for plan in plans:
        try:
            if backup.list_backup_selections(BackupPlanId=plan["BackupPlanId"])[
                "BackupSelectionsList"
            ]:
                selected.append(plan["BackupPlanArn"])
        except botocore.exceptions.ClientError as error:
            if not is_api_gap(error):
                raise
            gaps.append("ListBackupSelections")
    try:
        policies = ctx.clients.client("dlm").get_lifecycle_policies(State="ENABLED")["Policies"]
    except botocore.exceptions.ClientError as error:
        if not is_api_gap(error):
            raise
        policies, gaps = [], [*gaps, "DLM GetLifecyclePolicies"]
    if selected or policies:
        return [passed(r, "snapshots automated") for r in selected] + [
            passed(p["PolicyId"], "DLM policy enabled") for p in policies
        ]
    if gaps:
        return [
            unknown(
                None,
                f"{', '.join(gaps)} not available on this target; no backup "
                "selection or DLM policy could be confirmed",
            )
        ]
    return [failed(None, "no backup plan with a selection and no enabled DLM policy")]


@live_check("AWS-SNAP-002")
def vaults_locked(ctx: AwsLiveContext) -> list[LiveVerdict]:
    backup = ctx.clients.client("backup")
    found = []
    for vault in backup.list_backup_vaults()["BackupVaultList"]:
        if vault["BackupVaultName"] in ("Default", "aws/efs/automatic-backup-vault"):
            continue
        detail = backup.describe_backup_vault(BackupVaultName=vault["BackupVaultName"])
        found.append(
            verdict(
                vault["BackupVaultArn"],
                None if detail.get("Locked") or detail.get("MinRetentionDays") else "no Vault Lock",
            )
        )
    return found
