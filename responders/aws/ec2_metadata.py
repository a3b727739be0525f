"""Instance metadata as JSON artifacts: what the instance was, could reach and ran at boot."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import botocore.exceptions

from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.aws.case import AwsCase
from responders.aws.session import error_code, is_api_gap
from responders.aws.targets import describe_instance
from responders.registry import Scope, action, perms
from responders.runtime import Status, Step


def _decode(value: str | None) -> bytes:
    """Base64 as the API returns it; kept verbatim if a target returns something else."""
    if not value:
        return b""
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return value.encode()


def _instance_profile(case: AwsCase, instance: dict[str, Any], step: Step) -> dict[str, Any]:
    arn = instance.get("IamInstanceProfile", {}).get("Arn")
    if not arn:
        return {}
    name = arn.split("/")[-1]
    try:
        profile = case.clients.iam.get_instance_profile(InstanceProfileName=name)
    except botocore.exceptions.ClientError as error:
        step.warn(f"instance profile {name}: {error_code(error)}")
        return {"Arn": arn, "error": error_code(error)}
    return dict(profile["InstanceProfile"])


def _console_output(case: AwsCase, instance_id: str, step: Step) -> bytes:
    try:
        output = case.clients.ec2.get_console_output(InstanceId=instance_id, Latest=True)
    except botocore.exceptions.ClientError as error:
        if is_api_gap(error):
            step.warn("console output unavailable on this target")
            return b""
        raise
    return _decode(output.get("Output"))


def _config_history(case: AwsCase, instance_id: str, step: Step) -> list[Any]:
    """What AWS Config recorded about the instance: how it looked before the attacker."""
    try:
        pages = (
            case.clients.client("config")
            .get_paginator("get_resource_config_history")
            .paginate(resourceType="AWS::EC2::Instance", resourceId=instance_id)
        )
        return [item for page in pages for item in page.get("configurationItems", [])]
    except botocore.exceptions.ClientError as error:
        if is_api_gap(error) or error_code(error) in (
            "ResourceNotDiscoveredException",
            "NoAvailableConfigurationRecorderException",
        ):
            step.warn(
                f"no AWS Config history for {instance_id} ({error_code(error) or 'unavailable'})"
            )
            return []
        raise


@action(
    Cloud.AWS,
    "collect-instance-metadata",
    summary="Instance, interfaces, security groups, volumes, profile, tags, user data, console",
    target_kind="instance",
    permissions=perms(
        "ec2:DescribeInstances",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeVolumes",
        "config:GetResourceConfigHistory",
    )
    + perms(
        "ec2:DescribeInstanceAttribute",
        "ec2:GetConsoleOutput",
        "iam:GetInstanceProfile",
        scope=Scope.ACCOUNT_RESOURCES,
    ),
    destructive=False,
    produces=(EvidenceSource.EC2_METADATA, EvidenceSource.AWS_CONFIG_HISTORY),
)
def collect_instance_metadata(case: AwsCase, target: str, step: Step) -> Status:
    earlier = case.collected_before(step.action, target)
    if earlier:
        step.note(f"already collected at {earlier}")
        return Status.UNCHANGED
    ec2 = case.clients.ec2
    instance = describe_instance(case, target)
    by_instance: list[Any] = [{"Name": "attachment.instance-id", "Values": [target]}]
    interfaces = ec2.describe_network_interfaces(Filters=by_instance)["NetworkInterfaces"]
    group_ids = sorted({g["GroupId"] for i in interfaces for g in i.get("Groups", [])})
    groups = ec2.describe_security_groups(GroupIds=group_ids)["SecurityGroups"] if group_ids else []
    volumes = ec2.describe_volumes(Filters=by_instance)["Volumes"]
    user_data = ec2.describe_instance_attribute(InstanceId=target, Attribute="userData")
    case.save_json(step, "instance.json", instance, "DescribeInstances")
    case.save_json(step, "network-interfaces.json", interfaces, "DescribeNetworkInterfaces")
    case.save_json(step, "security-groups.json", groups, "DescribeSecurityGroups")
    case.save_json(step, "volumes.json", volumes, "DescribeVolumes")
    case.save_json(step, "instance-profile.json", _instance_profile(case, instance, step))
    case.save_json(step, "tags.json", instance.get("Tags", []), "instance tags")
    case.save(
        step,
        "user-data.bin",
        _decode(user_data.get("UserData", {}).get("Value")),
        "user data (decoded)",
    )
    case.save(step, "console-output.txt", _console_output(case, target, step), "console output")
    case.save_json(
        step,
        "config-history.json",
        _config_history(case, target, step),
        "AWS Config history of the instance",
    )
    step.note(f"collected {len(step.artifacts) or len(step.planned)} metadata artifacts")
    return Status.COLLECTED
