"""Where logs and evidence live: a rotating CMK, locked buckets, and their access-log bucket."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from prewire.core import tokens
from stacks.aws.base import child
from stacks.aws.documents import (
    AwsEnv,
    Document,
    access_log_bucket_policy,
    forensic_key_policy,
    to_json,
)
from stacks.tags import component_tags


@dataclass
class ForensicKeyArgs:
    env: pulumi.Input[AwsEnv]
    trusted_account_ids: Sequence[str] = ()
    deletion_window_days: int = 30


class ForensicKey(pulumi.ComponentResource):
    """The dedicated, rotating CMK for audit logs, evidence, log groups and alert topics."""

    key: aws.kms.Key
    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: ForensicKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_FORENSIC_KEY, name, None, opts)
        trusted = tuple(args.trusted_account_ids)
        self.key = aws.kms.Key(
            f"{name}-key",
            description="prewire forensic key: audit logs, evidence, log groups",
            enable_key_rotation=True,
            deletion_window_in_days=args.deletion_window_days,
            policy=pulumi.Output.from_input(args.env).apply(
                lambda env: to_json(forensic_key_policy(env, trusted))
            ),
            tags=component_tags(name),
            opts=child(self, protect=True),
        )
        aws.kms.Alias(
            f"{name}-alias",
            name=f"alias/{name}",
            target_key_id=self.key.key_id,
            opts=child(self),
        )
        self.arn = self.key.arn
        self.register_outputs({"arn": self.arn, "keyId": self.key.key_id})


def _block_public_access(
    name: str, bucket: aws.s3.Bucket, parent: pulumi.Resource
) -> aws.s3.BucketPublicAccessBlock:
    return aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access",
        bucket=bucket.id,
        block_public_acls=True,
        block_public_policy=True,
        ignore_public_acls=True,
        restrict_public_buckets=True,
        opts=child(parent),
    )


def _enforce_owner(name: str, bucket: aws.s3.Bucket, parent: pulumi.Resource) -> None:
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership",
        bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"},
        opts=child(parent),
    )


@dataclass
class AccessLogBucketArgs:
    env: pulumi.Input[AwsEnv]
    retention_days: int


class AccessLogBucket(pulumi.ComponentResource):
    """Receives S3 server access logs; an Object Lock bucket cannot be a logging target."""

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy

    def __init__(
        self, name: str, args: AccessLogBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_ACCESS_LOG_BUCKET, name, None, opts)
        self.bucket = aws.s3.Bucket(name, tags=component_tags(name), opts=child(self))
        aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child(self),
        )
        # Server access logging only delivers to SSE-S3 targets.
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}],
            opts=child(self),
        )
        public_access = _block_public_access(name, self.bucket, self)
        _enforce_owner(name, self.bucket, self)
        # Access logs show who read the evidence: they expire only after the retention period, and
        # so do versions made noncurrent by a delete (else deleting a log purges it for good).
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle",
            bucket=self.bucket.id,
            rules=[
                {
                    "id": "expire-access-logs",
                    "status": "Enabled",
                    "filter": {"prefix": ""},
                    "expiration": {"days": args.retention_days},
                    "noncurrent_version_expiration": {"noncurrent_days": args.retention_days},
                    "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
                }
            ],
            opts=child(self),
        )
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=pulumi.Output.all(args.env, self.bucket.arn).apply(
                lambda v: to_json(access_log_bucket_policy(v[0], v[1]))
            ),
            opts=child(self, depends_on=[public_access]),
        )
        self.register_outputs({"bucket": self.bucket.bucket, "arn": self.bucket.arn})


PolicyBuilder = Callable[[str], pulumi.Input[str]]
"""Given the bucket ARN, returns the bucket policy JSON (an Output when it needs other ARNs)."""


@dataclass
class LockedBucketArgs:
    purpose: str
    kms_key_arn: pulumi.Input[str]
    retention_days: int
    access_log_bucket: pulumi.Input[str]
    policy: PolicyBuilder
    # Log delivery must be allowed by the target's policy before logging is switched on.
    access_log_ready: Sequence[pulumi.Resource] = field(default_factory=list)
    policy_depends_on: Sequence[pulumi.Resource] = field(default_factory=list)


class LockedBucket(pulumi.ComponentResource):
    """An immutable store: Object Lock in COMPLIANCE mode with default retention, versioning,
    SSE-KMS with the forensic key, no public access, TLS only, server access logs elsewhere."""

    bucket: aws.s3.Bucket
    policy: aws.s3.BucketPolicy
    arn: pulumi.Output[str]
    name: pulumi.Output[str]

    def __init__(
        self, name: str, args: LockedBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_LOCKED_BUCKET, name, None, opts)
        tags = component_tags(name, {"prewire:purpose": args.purpose})
        self.bucket = aws.s3.Bucket(
            name,
            object_lock_enabled=True,
            force_destroy=False,
            tags=tags,
            opts=child(self, protect=True),
        )
        versioning = aws.s3.BucketVersioning(
            f"{name}-versioning",
            bucket=self.bucket.id,
            versioning_configuration={"status": "Enabled"},
            opts=child(self),
        )
        aws.s3.BucketObjectLockConfiguration(
            f"{name}-object-lock",
            bucket=self.bucket.id,
            object_lock_enabled="Enabled",
            rule={"default_retention": {"mode": "COMPLIANCE", "days": args.retention_days}},
            opts=child(self, depends_on=[versioning]),
        )
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption",
            bucket=self.bucket.id,
            rules=[
                {
                    "apply_server_side_encryption_by_default": {
                        "sse_algorithm": "aws:kms",
                        "kms_master_key_id": args.kms_key_arn,
                    },
                    "bucket_key_enabled": True,
                }
            ],
            opts=child(self),
        )
        public_access = _block_public_access(name, self.bucket, self)
        _enforce_owner(name, self.bucket, self)
        aws.s3.BucketLogging(
            f"{name}-access-logs",
            bucket=self.bucket.id,
            target_bucket=args.access_log_bucket,
            target_prefix=f"{args.purpose}/",
            opts=child(self, depends_on=args.access_log_ready),
        )
        self.policy = aws.s3.BucketPolicy(
            f"{name}-policy",
            bucket=self.bucket.id,
            policy=self.bucket.arn.apply(args.policy),
            opts=child(self, depends_on=[public_access, *args.policy_depends_on]),
        )
        self.arn = self.bucket.arn
        self.name = self.bucket.bucket
        self.register_outputs({"bucket": self.name, "arn": self.arn})


def policy_json(doc: pulumi.Output[Document]) -> pulumi.Output[str]:
    return doc.apply(to_json)
