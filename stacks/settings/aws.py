"""The AWS settings: the stack's AWS readiness, from `prewire:aws.*`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from stacks.settings.patterns import (
    ACCOUNT_ID,
    EKS_CLUSTER_NAME,
    IAM_PRINCIPAL_ARN,
    POLICY_ARN,
    READ_ONLY_ACCESS,
    S3_URI,
    SHA256,
    TAG,
    VPC_GROUP_PAIR,
    VPC_ID,
)
from stacks.settings.reader import Reader, or_default, split_tag


@dataclass(frozen=True)
class MemoryTool:
    s3_uri: str
    sha256: str

    @property
    def bucket(self) -> str:
        return self.s3_uri.removeprefix("s3://").split("/", 1)[0]

    @property
    def key(self) -> str:
        return self.s3_uri.removeprefix("s3://").split("/", 1)[1]


@dataclass(frozen=True)
class AwsSettings:
    vpc_ids: tuple[str, ...] = ()
    snapshot_tag: tuple[str, str] = ("prewire:snapshot", "true")
    snapshot_retention_days: int = 35
    min_finding_severity: int = 7
    auto_contain: bool = False
    isolation_ssm_endpoint_groups: Mapping[str, str] = field(default_factory=dict)
    responder_principals: tuple[str, ...] = ()
    break_glass_policy_arns: tuple[str, ...] = (READ_ONLY_ACCESS,)
    memory_tool: MemoryTool | None = None
    forensic_account_id: str | None = None
    manage_guardduty: bool = True
    manage_config_recorder: bool = True
    manage_session_manager_preferences: bool = True
    eks_logging: bool = True
    eks_container_logs: bool = True
    eks_logging_opt_out: tuple[str, ...] = ()


def read_aws(reader: Reader) -> AwsSettings:
    defaults = AwsSettings()
    vpc_ids = reader.strings("aws.vpcIds", VPC_ID, "VPC ids like vpc-0a1b2c3d") or ()
    tag = reader.string("aws.snapshotTag", TAG, "a tag as key=value")
    pairs = reader.strings("aws.isolationSsmEndpointGroups", VPC_GROUP_PAIR, "vpc-id=sg-id") or ()
    endpoint_groups = dict(pair.split("=", 1) for pair in pairs)
    for vpc in endpoint_groups:
        if vpc not in vpc_ids:
            reader.fail("aws.isolationSsmEndpointGroups", f"{vpc} is not in prewire:aws.vpcIds")
    return AwsSettings(
        vpc_ids=vpc_ids,
        snapshot_tag=split_tag(tag) if tag else defaults.snapshot_tag,
        snapshot_retention_days=reader.integer("aws.snapshotRetentionDays", 35, 1, 36500),
        min_finding_severity=reader.integer("aws.minFindingSeverity", 7, 1, 10),
        auto_contain=reader.boolean("aws.autoContain", False),
        isolation_ssm_endpoint_groups=dict(endpoint_groups),
        responder_principals=reader.strings(
            "aws.responderPrincipals", IAM_PRINCIPAL_ARN, "IAM user or role ARNs"
        )
        or (),
        break_glass_policy_arns=or_default(
            reader.strings("aws.breakGlassPolicyArns", POLICY_ARN, "IAM policy ARNs"),
            defaults.break_glass_policy_arns,
        ),
        memory_tool=_memory_tool(reader),
        forensic_account_id=reader.string("aws.forensicAccountId", ACCOUNT_ID, "a 12-digit id"),
        manage_guardduty=reader.boolean("aws.manageGuardDuty", True),
        manage_config_recorder=reader.boolean("aws.manageConfigRecorder", True),
        manage_session_manager_preferences=reader.boolean(
            "aws.manageSessionManagerPreferences", True
        ),
        eks_logging=reader.boolean("aws.eksLogging", True),
        eks_container_logs=reader.boolean("aws.eksContainerLogs", True),
        eks_logging_opt_out=reader.strings(
            "aws.eksLoggingOptOut", EKS_CLUSTER_NAME, "EKS cluster or resource names"
        )
        or (),
    )


def _memory_tool(reader: Reader) -> MemoryTool | None:
    uri = reader.string("aws.memoryToolS3Uri", S3_URI, "s3://bucket/key")
    digest = reader.string("aws.memoryToolSha256", SHA256, "64 lowercase hex characters")
    if uri and digest:
        return MemoryTool(s3_uri=uri, sha256=digest)
    if uri or digest:
        reader.fail("aws.memoryToolS3Uri", "set together with prewire:aws.memoryToolSha256")
    return None
