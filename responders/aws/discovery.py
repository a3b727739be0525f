"""Finds the prewired resources through `/prewire/aws/...`; explicit flags override discovery,
so the responders also work in accounts prepared by other tooling."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import botocore.exceptions

from prewire.core.vocabulary import ROLE_TAG
from responders.aws import parameters
from responders.aws.session import AwsClients, error_code
from responders.runtime import InputError


@dataclass(frozen=True)
class Prewired:
    evidence_bucket: str | None = None
    audit_bucket: str | None = None
    kms_key_arn: str | None = None
    quarantine_policy_arn: str | None = None
    trail_arn: str | None = None
    memory_tool_uri: str | None = None
    memory_tool_sha256: str | None = None
    forensic_account_id: str | None = None
    responder_role_arn: str | None = None
    break_glass_role_arn: str | None = None
    responder_function: str | None = None
    retention_days: int | None = None
    isolation_groups: dict[str, str] = field(default_factory=dict)
    conversion_groups: dict[str, str] = field(default_factory=dict)
    discovered: bool = False
    discovery_error: str | None = None


@dataclass(frozen=True)
class Overrides:
    evidence_bucket: str | None = None
    isolation_group: str | None = None
    conversion_group: str | None = None
    quarantine_policy_arn: str | None = None


def discover(clients: AwsClients) -> Prewired:
    """Read every `/prewire/aws` parameter in one paginated call."""
    values: dict[str, str] = {}
    try:
        paginator = clients.ssm.get_paginator("get_parameters_by_path")
        for page in paginator.paginate(Path=parameters.ROOT, Recursive=True):
            for item in page.get("Parameters", []):
                values[item["Name"]] = item["Value"]
    except botocore.exceptions.ClientError as error:
        return Prewired(discovery_error=f"cannot read {parameters.ROOT}: {error_code(error)}")
    return Prewired(
        evidence_bucket=values.get(parameters.EVIDENCE_BUCKET),
        audit_bucket=values.get(parameters.AUDIT_BUCKET),
        kms_key_arn=values.get(parameters.KMS_KEY_ARN),
        quarantine_policy_arn=values.get(parameters.QUARANTINE_POLICY_ARN),
        trail_arn=values.get(parameters.TRAIL_ARN),
        memory_tool_uri=values.get(parameters.MEMORY_TOOL_URI),
        memory_tool_sha256=values.get(parameters.MEMORY_TOOL_SHA256),
        forensic_account_id=values.get(parameters.FORENSIC_ACCOUNT_ID),
        responder_role_arn=values.get(parameters.RESPONDER_ROLE_ARN),
        break_glass_role_arn=values.get(parameters.BREAK_GLASS_ROLE_ARN),
        responder_function=values.get(parameters.RESPONDER_FUNCTION),
        retention_days=int(values[parameters.RETENTION_DAYS])
        if values.get(parameters.RETENTION_DAYS, "").isdigit()
        else None,
        isolation_groups=_by_suffix(values, parameters.ISOLATION_GROUP_PREFIX),
        conversion_groups=_by_suffix(values, parameters.CONVERSION_GROUP_PREFIX),
        discovered=bool(values),
    )


def _by_suffix(values: dict[str, str], prefix: str) -> dict[str, str]:
    return {k[len(prefix) :]: v for k, v in values.items() if k.startswith(prefix)}


def apply_overrides(clients: AwsClients, found: Prewired, overrides: Overrides) -> Prewired:
    """Explicit flags win. A group given by flag applies to the VPC it belongs to."""
    result = found
    if overrides.evidence_bucket:
        result = replace(result, evidence_bucket=overrides.evidence_bucket)
    if overrides.quarantine_policy_arn:
        result = replace(result, quarantine_policy_arn=overrides.quarantine_policy_arn)
    if overrides.isolation_group:
        vpc = _vpc_of_group(clients, overrides.isolation_group, "isolation")
        groups = {**result.isolation_groups, vpc: overrides.isolation_group}
        result = replace(result, isolation_groups=groups)
    if overrides.conversion_group:
        vpc = _vpc_of_group(clients, overrides.conversion_group, "conversion")
        groups = {**result.conversion_groups, vpc: overrides.conversion_group}
        result = replace(result, conversion_groups=groups)
    return result


def _vpc_of_group(clients: AwsClients, group_id: str, role: str) -> str:
    """The group's VPC. The group must carry prewire's role tag: the responder role may give
    an interface no other group, so an untagged one would fail half-way through isolation."""
    try:
        groups = clients.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"]
    except botocore.exceptions.ClientError as error:
        raise InputError(f"security group {group_id}: {error_code(error)}") from error
    tags = {t["Key"]: t["Value"] for t in groups[0].get("Tags", [])}
    if tags.get(ROLE_TAG) != role:
        raise InputError(
            f"security group {group_id} is not tagged {ROLE_TAG}={role}: the responder role may "
            f"give interfaces only groups so tagged (tag it, or leave out the flag to use the "
            f"stack's group)"
        )
    return str(groups[0]["VpcId"])
