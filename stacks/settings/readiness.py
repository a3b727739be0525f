"""The settings of the whole readiness stack: which clouds, how long evidence is kept, who may
break glass, and each cloud's own settings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from prewire.core.vocabulary import Cloud
from stacks.settings.aws import AwsSettings, read_aws
from stacks.settings.azure import AzureSettings, read_azure
from stacks.settings.gcp import GcpSettings, read_gcp
from stacks.settings.patterns import CLOUDWATCH_RETENTION_DAYS, EMAIL, IAM_PRINCIPAL_ARN
from stacks.settings.reader import Reader, SettingsError

# Every `prewire:` key the stack reads. Pulumi.yaml documents each one (a test keeps them equal).
CONFIG_KEYS = (
    "clouds",
    "retentionDays",
    "alertEmail",
    "breakGlassPrincipals",
    "aws.vpcIds",
    "aws.snapshotTag",
    "aws.snapshotRetentionDays",
    "aws.minFindingSeverity",
    "aws.autoContain",
    "aws.isolationSsmEndpointGroups",
    "aws.responderPrincipals",
    "aws.breakGlassPolicyArns",
    "aws.memoryToolS3Uri",
    "aws.memoryToolSha256",
    "aws.forensicAccountId",
    "aws.manageGuardDuty",
    "aws.manageConfigRecorder",
    "aws.manageSessionManagerPreferences",
    "aws.eksLogging",
    "aws.eksContainerLogs",
    "aws.eksLoggingOptOut",
    "azure.subscriptionId",
    "azure.location",
    "azure.resourceGroup",
    "azure.locations",
    "azure.networks",
    "azure.aksClusterIds",
    "azure.functionAppIds",
    "azure.breakGlassGroupObjectId",
    "azure.breakGlassCallers",
    "azure.responderPrincipalIds",
    "azure.customerManagedKeyUri",
    "azure.snapshotTag",
    "azure.snapshotRetentionDays",
    "azure.manageDefenderPlans",
    "azure.autoContain",
    "azure.responderPackage",
    "gcp.project",
    "gcp.organizationId",
    "gcp.region",
    "gcp.bucketLocation",
    "gcp.networks",
    "gcp.breakGlassGroup",
    "gcp.breakGlassUntil",
    "gcp.breakGlassCallers",
    "gcp.responderMembers",
    "gcp.kmsKeyName",
    "gcp.snapshotLabel",
    "gcp.snapshotRetentionDays",
    "gcp.manageAuditConfig",
    "gcp.gkeLogging",
    "gcp.vmdkExport",
)


@dataclass(frozen=True)
class ReadinessSettings:
    clouds: tuple[Cloud, ...]
    retention_days: int
    break_glass_principals: tuple[str, ...]
    alert_email: str | None = None
    aws: AwsSettings | None = None
    azure: AzureSettings | None = None
    gcp: GcpSettings | None = None

    @property
    def log_retention_days(self) -> int:
        """The shortest CloudWatch retention that still covers `retention_days`."""
        return next(d for d in CLOUDWATCH_RETENTION_DAYS if d >= self.retention_days)


def parse(raw: Mapping[str, str | None]) -> ReadinessSettings:
    """Validate raw `prewire:` config (key without namespace -> string) into settings."""
    unknown = sorted(set(raw) - set(CONFIG_KEYS))
    reader = Reader(raw)
    if unknown:
        reader.problems.append(
            "unknown keys: "
            + ", ".join(f"prewire:{k}" for k in unknown)
            + f" (known: {', '.join(CONFIG_KEYS)})"
        )
    clouds = _clouds(reader)
    retention = reader.integer("retentionDays", 365, 1, 36500)
    principals = reader.strings("breakGlassPrincipals", IAM_PRINCIPAL_ARN, "IAM user or role ARNs")
    email = reader.string("alertEmail", EMAIL, "an email address")
    aws = read_aws(reader) if Cloud.AWS in clouds else None
    azure = read_azure(reader) if Cloud.AZURE in clouds else None
    gcp = read_gcp(reader) if Cloud.GCP in clouds else None
    if Cloud.AWS in clouds and not principals:
        reader.problems.append(
            "prewire:breakGlassPrincipals: at least one IAM user or role ARN must be allowed to "
            "assume the break-glass role (with MFA)"
        )
    if reader.problems:
        raise SettingsError(reader.problems)
    return ReadinessSettings(
        clouds=clouds,
        retention_days=retention,
        break_glass_principals=principals or (),
        alert_email=email,
        aws=aws,
        azure=azure,
        gcp=gcp,
    )


def _clouds(reader: Reader) -> tuple[Cloud, ...]:
    names = reader.strings("clouds", re.compile(r".+"), "cloud names") or ("aws",)
    clouds: list[Cloud] = []
    for name in names:
        try:
            cloud = Cloud(name)
        except ValueError:
            reader.fail("clouds", f"unknown cloud {name!r}; known: aws, azure, gcp")
            continue
        clouds.append(cloud)
    if not names:
        reader.fail("clouds", "list at least one cloud")
    return tuple(clouds)
