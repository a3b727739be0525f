"""Typed, validated stack settings parsed from `prewire:` config.

`stacks/__main__.py` is the only place that reads `pulumi.Config`; it hands the raw strings to
`parse`, which is also what `prewire plan` and `prewire check` use on a stack file, so every
face validates configuration the same way. All problems are reported at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from prewire.core.vocabulary import Cloud

# CloudWatch Logs accepts only these retention periods (days).
CLOUDWATCH_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)

VPC_ID = re.compile(r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$")
VPC_GROUP_PAIR = re.compile(r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?=sg-[0-9a-f]{8}([0-9a-f]{9})?$")
IAM_PRINCIPAL_ARN = re.compile(r"^arn:aws[a-z-]*:(iam|sts)::\d{12}:(root|user/.+|role/.+)$")
POLICY_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(aws|\d{12}):policy/.+$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# A Pulumi resource name or an EKS cluster name (letters, digits, hyphens, underscores).
EKS_CLUSTER_NAME = re.compile(r"^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$")
READ_ONLY_ACCESS = "arn:aws:iam::aws:policy/ReadOnlyAccess"
TAG = re.compile(r"^[^=]{1,128}=[^=]{0,256}$")
GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
AZURE_LOCATION = re.compile(r"^[a-z][a-z0-9]{2,30}$")
RESOURCE_GROUP = re.compile(r"^[-\w._()]{1,89}[-\w_()]$")
_SUBSCRIPTION_PREFIX = r"/subscriptions/[0-9a-fA-F-]{36}/resourceGroups/[-\w._()]+/providers/"
VNET_AT = re.compile(
    rf"^[a-z][a-z0-9]{{2,30}}={_SUBSCRIPTION_PREFIX}Microsoft\.Network/virtualNetworks/[-\w._]+$"
)
AKS_ID = re.compile(
    rf"^{_SUBSCRIPTION_PREFIX}Microsoft\.ContainerService/managedClusters/[-\w._]+$"
)
FUNCTION_APP_ID = re.compile(rf"^{_SUBSCRIPTION_PREFIX}Microsoft\.Web/sites/[-\w._]+$")
KEY_VAULT_KEY = re.compile(
    r"^https://[-a-z0-9]{3,24}\.vault\.azure\.net/keys/[-\w]+(/[0-9a-f]{32})?$"
)
ANY_PATH = re.compile(r"^\S.*$")
GCP_PROJECT = re.compile(r"^[a-z][-a-z0-9]{4,28}[a-z0-9]$")
GCP_ORGANIZATION = re.compile(r"^[0-9]{6,20}$")
GCP_REGION = re.compile(r"^[a-z]+-[a-z]+[0-9]$")
GCP_LOCATION = re.compile(r"^([a-z]+-[a-z]+[0-9]|EU|US|ASIA|[A-Z]+[0-9]?)$")
GCP_NETWORK = re.compile(
    r"^projects/[a-z][-a-z0-9]{4,28}[a-z0-9]/global/networks/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$"
)
GCP_KMS_KEY = re.compile(r"^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$")
GCP_LABEL = re.compile(r"^[a-z][-_a-z0-9]{0,62}=[-_a-z0-9]{0,63}$")
GCP_GROUP = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
GCP_MEMBER = re.compile(r"^(user|group|serviceAccount|principal|principalSet):.+$")
RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
CALLER = re.compile(r"^([^@\s]+@[^@\s]+|[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12})$")


class SettingsError(ValueError):
    """Configuration that cannot be deployed; the message lists every problem found."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("invalid prewire configuration:\n  - " + "\n  - ".join(problems))
        self.problems = problems


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


@dataclass(frozen=True)
class AzureSettings:
    subscription_id: str
    location: str
    break_glass_group_object_id: str
    resource_group: str = "prewire-forensics"
    locations: tuple[str, ...] = ()
    """Every location with an isolation network security group (the stack's, the networks')."""
    networks: Mapping[str, str] = field(default_factory=dict)
    """Virtual network id -> its location (flow logs go through that location's watcher)."""
    aks_cluster_ids: tuple[str, ...] = ()
    function_app_ids: tuple[str, ...] = ()
    break_glass_callers: tuple[str, ...] = ()
    responder_principal_ids: tuple[str, ...] = ()
    customer_managed_key_uri: str | None = None
    snapshot_tag: tuple[str, str] = ("prewire:snapshot", "true")
    snapshot_retention_days: int = 35
    manage_defender_plans: bool = True
    auto_contain: bool = False
    responder_package: str | None = None
    """Directory of the responder Function's package (`prewire package azure-responder`)."""


@dataclass(frozen=True)
class GcpSettings:
    project: str
    region: str
    break_glass_group: str
    organization_id: str | None = None
    bucket_location: str | None = None
    networks: tuple[str, ...] = ()
    break_glass_until: str = "1970-01-01T00:00:00Z"
    """The break-glass binding holds until then (dormant when in the past, the default)."""
    break_glass_callers: tuple[str, ...] = ()
    responder_members: tuple[str, ...] = ()
    kms_key_name: str | None = None
    snapshot_label: tuple[str, str] = ("prewire-snapshot", "true")
    snapshot_retention_days: int = 35
    manage_audit_config: bool = True
    gke_logging: bool = True
    vmdk_export: bool = False
    """Grant what `snapshot-disks --export-vmdk` needs (broad roles to Google's accounts)."""

    @property
    def storage_location(self) -> str:
        return self.bucket_location or self.region.upper()


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


class _Reader:
    """Reads raw config strings, collecting problems instead of stopping at the first."""

    def __init__(self, raw: Mapping[str, str | None]) -> None:
        self.raw = raw
        self.problems: list[str] = []

    def _value(self, key: str) -> Any:
        text = self.raw.get(key)
        if text is None or text == "":
            return None
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text  # plain strings are stored unquoted by the Pulumi CLI

    def fail(self, key: str, message: str) -> None:
        self.problems.append(f"prewire:{key}: {message}")

    def require(self, cloud: str, values: Mapping[str, object]) -> None:
        """A problem for each of the cloud's required keys that is missing (a key already
        reported as malformed is not reported twice)."""
        for key, value in values.items():
            if value is None and not any(p.startswith(f"prewire:{key}:") for p in self.problems):
                self.fail(key, f"required when prewire:clouds includes {cloud}")

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self._value(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(key, f"expected a whole number, got {value!r}")
            return default
        if not low <= value <= high:
            self.fail(key, f"must be between {low} and {high}, got {value}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self._value(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, f"expected true or false, got {value!r}")
            return default
        return value

    def string(self, key: str, pattern: re.Pattern[str], what: str) -> str | None:
        # Strings are stored unquoted, so "444455556666" must not become a number.
        text = self.raw.get(key)
        if not text:
            return None
        value = json.loads(text) if text.startswith('"') else text
        if not isinstance(value, str) or not pattern.match(value):
            self.fail(key, f"expected {what}, got {value!r}")
            return None
        return value

    def strings(self, key: str, pattern: re.Pattern[str], what: str) -> tuple[str, ...] | None:
        value = self._value(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.fail(key, f"expected a list of {what}, got {value!r}")
            return None
        bad = [v for v in value if not isinstance(v, str) or not pattern.match(v)]
        if bad:
            self.fail(key, f"expected {what}; malformed: {', '.join(map(repr, bad))}")
        good = [v for v in value if v not in bad]
        return tuple(dict.fromkeys(good))


def parse(raw: Mapping[str, str | None]) -> ReadinessSettings:
    """Validate raw `prewire:` config (key without namespace -> string) into settings."""
    unknown = sorted(set(raw) - set(CONFIG_KEYS))
    reader = _Reader(raw)
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
    aws = _aws(reader) if Cloud.AWS in clouds else None
    azure = _azure(reader) if Cloud.AZURE in clouds else None
    gcp = _gcp(reader) if Cloud.GCP in clouds else None
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


def _clouds(reader: _Reader) -> tuple[Cloud, ...]:
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


def _aws(reader: _Reader) -> AwsSettings:
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
        snapshot_tag=_split_tag(tag) if tag else defaults.snapshot_tag,
        snapshot_retention_days=reader.integer("aws.snapshotRetentionDays", 35, 1, 36500),
        min_finding_severity=reader.integer("aws.minFindingSeverity", 7, 1, 10),
        auto_contain=reader.boolean("aws.autoContain", False),
        isolation_ssm_endpoint_groups=dict(endpoint_groups),
        responder_principals=reader.strings(
            "aws.responderPrincipals", IAM_PRINCIPAL_ARN, "IAM user or role ARNs"
        )
        or (),
        break_glass_policy_arns=_or_default(
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


def _azure(reader: _Reader) -> AzureSettings | None:
    subscription = reader.string("azure.subscriptionId", GUID, "a subscription id (a GUID)")
    location = reader.string("azure.location", AZURE_LOCATION, "an Azure location like westeurope")
    group = reader.string("azure.breakGlassGroupObjectId", GUID, "an Entra group object id")
    reader.require(
        "azure",
        {
            "azure.subscriptionId": subscription,
            "azure.location": location,
            "azure.breakGlassGroupObjectId": group,
        },
    )
    pairs = (
        reader.strings(
            "azure.networks", VNET_AT, "location=/subscriptions/.../virtualNetworks/name"
        )
        or ()
    )
    networks = {pair.split("=", 1)[1]: pair.split("=", 1)[0] for pair in pairs}
    extra = reader.strings("azure.locations", AZURE_LOCATION, "Azure locations") or ()
    tag = reader.string("azure.snapshotTag", TAG, "a tag as key=value")
    if subscription is None or location is None or group is None:
        return None
    foreign = [
        n
        for n in [*networks, *_ids(reader)]
        if f"/subscriptions/{subscription}/".lower() not in n.lower()
    ]
    if foreign:
        reader.fail("azure.networks", f"outside subscription {subscription}: {', '.join(foreign)}")
    return AzureSettings(
        subscription_id=subscription,
        location=location,
        break_glass_group_object_id=group,
        resource_group=reader.string("azure.resourceGroup", RESOURCE_GROUP, "a resource group name")
        or "prewire-forensics",
        locations=tuple(dict.fromkeys([location, *extra, *networks.values()])),
        networks=networks,
        aks_cluster_ids=reader.strings("azure.aksClusterIds", AKS_ID, "AKS cluster ids") or (),
        function_app_ids=reader.strings("azure.functionAppIds", FUNCTION_APP_ID, "Function App ids")
        or (),
        break_glass_callers=reader.strings(
            "azure.breakGlassCallers", CALLER, "user principal names or object ids"
        )
        or (),
        responder_principal_ids=reader.strings(
            "azure.responderPrincipalIds", GUID, "Entra object ids"
        )
        or (),
        customer_managed_key_uri=reader.string(
            "azure.customerManagedKeyUri", KEY_VAULT_KEY, "a Key Vault key URI"
        ),
        snapshot_tag=_split_tag(tag) if tag else ("prewire:snapshot", "true"),
        snapshot_retention_days=reader.integer("azure.snapshotRetentionDays", 35, 1, 36500),
        manage_defender_plans=reader.boolean("azure.manageDefenderPlans", True),
        auto_contain=reader.boolean("azure.autoContain", False),
        responder_package=_responder_package(reader),
    )


def _responder_package(reader: _Reader) -> str | None:
    path = reader.string("azure.responderPackage", ANY_PATH, "a directory")
    if path and not (Path(path) / "function_app.py").is_file():
        reader.fail(
            "azure.responderPackage",
            f"{path} holds no function_app.py: build it with `prewire package azure-responder`",
        )
        return None
    return path


def _gcp(reader: _Reader) -> GcpSettings | None:
    project = reader.string("gcp.project", GCP_PROJECT, "a project id like acme-prod-123")
    region = reader.string("gcp.region", GCP_REGION, "a region like europe-west1")
    group = reader.string("gcp.breakGlassGroup", GCP_GROUP, "a Google group email")
    reader.require(
        "gcp", {"gcp.project": project, "gcp.region": region, "gcp.breakGlassGroup": group}
    )
    networks = reader.strings("gcp.networks", GCP_NETWORK, "projects/<p>/global/networks/<n>")
    label = reader.string("gcp.snapshotLabel", GCP_LABEL, "a label as key=value (lower case)")
    if project is None or region is None or group is None:
        return None
    foreign = [n for n in networks or () if not n.startswith(f"projects/{project}/")]
    if foreign:
        # Firewall rules are created in the network's own project: a shared VPC's host
        # project is deployed with its own stack.
        reader.fail("gcp.networks", f"outside project {project}: {', '.join(foreign)}")
    return GcpSettings(
        project=project,
        region=region,
        break_glass_group=group,
        organization_id=reader.string("gcp.organizationId", GCP_ORGANIZATION, "a numeric id"),
        bucket_location=reader.string("gcp.bucketLocation", GCP_LOCATION, "a bucket location"),
        networks=networks or (),
        break_glass_until=reader.string(
            "gcp.breakGlassUntil", RFC3339_UTC, "a UTC time like 2026-01-31T18:00:00Z"
        )
        or "1970-01-01T00:00:00Z",
        break_glass_callers=reader.strings("gcp.breakGlassCallers", EMAIL, "email addresses") or (),
        responder_members=reader.strings(
            "gcp.responderMembers", GCP_MEMBER, "IAM members like group:ir@example.com"
        )
        or (),
        kms_key_name=reader.string("gcp.kmsKeyName", GCP_KMS_KEY, "a Cloud KMS key name"),
        snapshot_label=_split_tag(label) if label else ("prewire-snapshot", "true"),
        snapshot_retention_days=reader.integer("gcp.snapshotRetentionDays", 35, 1, 65536),
        manage_audit_config=reader.boolean("gcp.manageAuditConfig", True),
        gke_logging=reader.boolean("gcp.gkeLogging", True),
        vmdk_export=reader.boolean("gcp.vmdkExport", False),
    )


def _ids(reader: _Reader) -> list[str]:
    """Cluster and Function App ids as given (validated by their own keys)."""
    found: list[str] = []
    for key in ("azure.aksClusterIds", "azure.functionAppIds"):
        value = reader._value(key)
        if isinstance(value, list):
            found += [v for v in value if isinstance(v, str)]
    return found


def _memory_tool(reader: _Reader) -> MemoryTool | None:
    uri = reader.string("aws.memoryToolS3Uri", S3_URI, "s3://bucket/key")
    digest = reader.string("aws.memoryToolSha256", SHA256, "64 lowercase hex characters")
    if uri and digest:
        return MemoryTool(s3_uri=uri, sha256=digest)
    if uri or digest:
        reader.fail("aws.memoryToolS3Uri", "set together with prewire:aws.memoryToolSha256")
    return None


def _or_default(value: tuple[str, ...] | None, default: tuple[str, ...]) -> tuple[str, ...]:
    return default if value is None else value


def _split_tag(tag: str) -> tuple[str, str]:
    key, value = tag.split("=", 1)
    return key, value
