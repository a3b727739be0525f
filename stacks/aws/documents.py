"""IAM and resource policy documents as plain functions of plain values.

Components call these inside `Output.apply`, so the documents can be unit-tested without
Pulumi and read as the JSON AWS will see.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

Statement = dict[str, Any]


Document = dict[str, Any]


@dataclass(frozen=True)
class AwsEnv:
    """Where the stack is deployed; resolved once from the provider's invokes."""

    account_id: str
    region: str
    partition: str

    def arn(self, service: str, resource: str, *, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    @property
    def root(self) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:root"


def document(statements: Iterable[Statement]) -> Document:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def to_json(doc: Document) -> str:
    return json.dumps(doc, separators=(",", ":"), sort_keys=False)


def service_trust(*services: str) -> Document:
    return document(
        [{"Effect": "Allow", "Principal": {"Service": list(services)}, "Action": "sts:AssumeRole"}]
    )


def mfa_trust(principals: Sequence[str], max_mfa_age_seconds: int = 3600) -> Statement:
    """Trust `principals` only when they signed in with MFA recently."""
    return {
        "Sid": "AssumeOnlyWithMfa",
        "Effect": "Allow",
        "Principal": {"AWS": list(principals)},
        "Action": "sts:AssumeRole",
        "Condition": {
            "Bool": {"aws:MultiFactorAuthPresent": "true"},
            "NumericLessThan": {"aws:MultiFactorAuthAge": str(max_mfa_age_seconds)},
        },
    }


def deny_all() -> Document:
    return document(
        [{"Sid": "PrewireQuarantineDenyAll", "Effect": "Deny", "Action": "*", "Resource": "*"}]
    )


def deny_insecure_transport(bucket_arn: str) -> Statement:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def audit_bucket_policy(
    env: AwsEnv, bucket_arn: str, trail_name: str, config_role_arn: str | None
) -> Document:
    """Only CloudTrail, flow-log delivery and AWS Config may write to the audit store."""
    account = env.account_id
    owner_acl = {"s3:x-amz-acl": "bucket-owner-full-control"}
    trail_arn = env.arn("cloudtrail", f"trail/{trail_name}")
    statements: list[Statement] = [
        deny_insecure_transport(bucket_arn),
        {
            "Sid": "CloudTrailAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceArn": trail_arn}},
        },
        {
            "Sid": "CloudTrailWrite",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/AWSLogs/{account}/*",
            "Condition": {"StringEquals": {**owner_acl, "aws:SourceArn": trail_arn}},
        },
        {
            "Sid": "FlowLogsAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:GetBucketAcl",
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
        {
            "Sid": "FlowLogsWrite",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/flow-logs/AWSLogs/{account}/*",
            "Condition": {"StringEquals": {**owner_acl, "aws:SourceAccount": account}},
        },
        {
            "Sid": "ConfigAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
        {
            "Sid": "ConfigWrite",
            "Effect": "Allow",
            "Principal": {"Service": "config.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/config/AWSLogs/{account}/Config/*",
            "Condition": {"StringEquals": {**owner_acl, "aws:SourceAccount": account}},
        },
    ]
    only_services: dict[str, Any] = {"Null": {"aws:PrincipalServiceName": "true"}}
    if config_role_arn:
        only_services["ArnNotEquals"] = {"aws:PrincipalArn": config_role_arn}
    statements.append(
        {
            "Sid": "DenyWritesExceptLogServices",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/*",
            "Condition": only_services,
        }
    )
    return document(statements)


def evidence_bucket_policy(bucket_arn: str, reader_role_arns: Sequence[str]) -> Document:
    """Evidence objects are readable and writable only by the responder and break-glass roles."""
    return document(
        [
            deny_insecure_transport(bucket_arn),
            {
                "Sid": "DenyEvidenceAccessExceptResponders",
                "Effect": "Deny",
                "Principal": "*",
                "Action": ["s3:GetObject*", "s3:PutObject*", "s3:ListBucket*"],
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"ArnNotEquals": {"aws:PrincipalArn": list(reader_role_arns)}},
            },
        ]
    )


def access_log_bucket_policy(env: AwsEnv, bucket_arn: str) -> Document:
    return document(
        [
            deny_insecure_transport(bucket_arn),
            {
                "Sid": "ServerAccessLogsWrite",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{bucket_arn}/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": env.account_id}},
            },
        ]
    )


def forensic_key_policy(env: AwsEnv, trusted_account_ids: Sequence[str] = ()) -> Document:
    """Key policy letting the log services encrypt, and IAM policies govern everyone else."""
    account = env.account_id
    statements: list[Statement] = [
        {
            "Sid": "AccountAdministersThroughIam",
            "Effect": "Allow",
            "Principal": {"AWS": env.root},
            "Action": "kms:*",
            "Resource": "*",
        },
        {
            "Sid": "CloudTrailEncrypt",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:GenerateDataKey*",
            "Resource": "*",
            "Condition": {
                "StringLike": {
                    "kms:EncryptionContext:aws:cloudtrail:arn": (
                        f"arn:{env.partition}:cloudtrail:*:{account}:trail/*"
                    )
                },
                "StringEquals": {"aws:SourceAccount": account},
            },
        },
        {
            # A DescribeKey request carries no encryption context: under the condition above it
            # would be refused, and CloudTrail checks the key with it (its own documentation
            # gives DescribeKey a statement of its own).
            "Sid": "CloudTrailDescribeKey",
            "Effect": "Allow",
            "Principal": {"Service": "cloudtrail.amazonaws.com"},
            "Action": "kms:DescribeKey",
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
        {
            "Sid": "CloudWatchLogsEncrypt",
            "Effect": "Allow",
            "Principal": {"Service": f"logs.{env.region}.amazonaws.com"},
            "Action": [
                "kms:Encrypt*",
                "kms:Decrypt*",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:Describe*",
            ],
            "Resource": "*",
            # The confused-deputy guard CloudWatch Logs documents for its key policies: the
            # encryption context names a log group of this account and region.
            "Condition": {
                "ArnLike": {"kms:EncryptionContext:aws:logs:arn": env.arn("logs", "log-group:*")}
            },
        },
        {
            "Sid": "LogDeliveryAndConfigEncrypt",
            "Effect": "Allow",
            "Principal": {"Service": ["delivery.logs.amazonaws.com", "config.amazonaws.com"]},
            "Action": [
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey",
            ],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
        {
            "Sid": "EventsPublishToEncryptedTargets",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
            "Resource": "*",
            # Only on behalf of this account's rules (confused deputy).
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
    ]
    if trusted_account_ids:
        statements.append(
            {
                "Sid": "ForensicAccountReadsSharedSnapshots",
                "Effect": "Allow",
                "Principal": {
                    "AWS": [f"arn:{env.partition}:iam::{a}:root" for a in trusted_account_ids]
                },
                "Action": [
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:CreateGrant",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKeyWithoutPlaintext",
                ],
                "Resource": "*",
            }
        )
    return document(statements)


def topic_policy(topic_arn: str, account_id: str) -> Document:
    return document(
        [
            {
                "Sid": "EventBridgePublishes",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": topic_arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
        ]
    )


def queue_policy(queue_arn: str, rule_arns: Sequence[str]) -> Document:
    return document(
        [
            {
                "Sid": "EventBridgeDeadLetters",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": list(rule_arns)}},
            }
        ]
    )


def role_assumption_pattern(role_arn: str) -> dict[str, Any]:
    """EventBridge pattern matching every assumption of `role_arn` recorded by CloudTrail."""
    return {
        "source": ["aws.sts"],
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": ["sts.amazonaws.com"],
            "eventName": ["AssumeRole"],
            "requestParameters": {"roleArn": [role_arn]},
        },
    }


def guardduty_pattern(min_severity: float) -> dict[str, Any]:
    return {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", min_severity]}]},
    }
