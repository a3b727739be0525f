"""Protect, isolate and release an EC2 instance. Nothing here stops, reboots or terminates.

Isolation order: evidence protection first (the instance can no longer be terminated, by an
attacker, a person or its Auto Scaling group, and its volumes survive termination), then out of
its Auto Scaling group and load balancers (the group launches a replacement, so capacity is kept),
then every interface to the conversion group and on to the isolation group, which cuts the
connections the old groups were tracking.
"""

from __future__ import annotations

from typing import Any

import botocore.exceptions

from prewire.core.evidence.custody import utc_now
from prewire.core.vocabulary import Cloud
from responders.aws.batching import TagBatcher
from responders.aws.case import AwsCase
from responders.aws.ec2_protection import PROTECT_PERMISSIONS, asg_membership, left_group, protect
from responders.aws.session import error_code
from responders.aws.targets import describe_instance
from responders.registry import Scope, action, perms
from responders.runtime import InputError, Status, Step

ISOLATED_TAG = "prewire:isolated"


CASE_TAG = "prewire:case"


def _groups_for(case: AwsCase, vpc_id: str) -> tuple[str, str]:
    isolation = case.prewired.isolation_groups.get(vpc_id)
    conversion = case.prewired.conversion_groups.get(vpc_id)
    if not isolation or not conversion:
        missing = "isolation" if not isolation else "conversion"
        raise InputError(
            f"no {missing} group for {vpc_id}: add the VPC to prewire:aws.vpcIds and deploy, "
            f"or pass --{missing}-group"
        )
    return isolation, conversion


def _target_group_membership(case: AwsCase) -> dict[str, list[dict[str, Any]]]:
    """instance id -> target groups it is registered in. Built once per run for all targets."""
    elbv2 = case.clients.elbv2
    membership: dict[str, list[dict[str, Any]]] = {}
    for page in elbv2.get_paginator("describe_target_groups").paginate():
        for group in page.get("TargetGroups", []):
            if group.get("TargetType", "instance") != "instance":
                continue
            health = elbv2.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
            for description in health.get("TargetHealthDescriptions", []):
                if description.get("TargetHealth", {}).get("State") == "draining":
                    continue  # already deregistered, connections draining
                target = description["Target"]
                membership.setdefault(target["Id"], []).append(
                    {"arn": group["TargetGroupArn"], "port": target.get("Port")}
                )
    return membership


def _leave_load_balancing(case: AwsCase, instance_id: str, step: Step) -> bool:
    changed = False
    membership = asg_membership(case, instance_id)
    if membership:
        group = membership["AutoScalingGroupName"]
        # Detaching (rather than terminating) keeps the instance; not decrementing the desired
        # capacity makes the group launch a replacement, so the service keeps its capacity.
        step.state["auto_scaling_group"] = group
        step.change(
            "autoscaling",
            case.clients.autoscaling,
            "detach_instances",
            InstanceIds=[instance_id],
            AutoScalingGroupName=group,
            ShouldDecrementDesiredCapacity=False,
        )
        left_group(case, instance_id)
        step.note(f"detached from Auto Scaling group {group}")
        changed = True
    registrations = case.shared("target-groups", lambda: _target_group_membership(case))
    for registration in registrations.get(instance_id, []):
        target: dict[str, Any] = {"Id": instance_id}
        if registration["port"]:
            target["Port"] = registration["port"]
        try:
            step.change(
                "elasticloadbalancing",
                case.clients.elbv2,
                "deregister_targets",
                TargetGroupArn=registration["arn"],
                Targets=[target],
            )
        except botocore.exceptions.ClientError as error:
            if error_code(error) != "InvalidTarget":
                raise
            continue  # deregistered meanwhile (e.g. by leaving its Auto Scaling group)
        step.state.setdefault("target_groups", []).append(registration)
        changed = True
    if step.state.get("target_groups"):
        step.note(f"deregistered from {len(step.state['target_groups'])} target group(s)")
    return changed


@action(
    Cloud.AWS,
    "isolate-instance",
    summary="Protect evidence, leave ASG and load balancers, swap every interface to isolation",
    target_kind="instance",
    permissions=(
        *PROTECT_PERMISSIONS,
        *perms(
            "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth"
        ),
        *perms(
            "autoscaling:DetachInstances",
            "elasticloadbalancing:DeregisterTargets",
            scope=Scope.ACCOUNT_RESOURCES,
        ),
        # The interface may be given only prewire's isolation and conversion groups.
        *perms("ec2:ModifyNetworkInterfaceAttribute", scope=Scope.INSTANCE_INTERFACES),
        *perms("ec2:ModifyNetworkInterfaceAttribute", scope=Scope.ISOLATION_GROUPS),
        *perms("ec2:CreateTags", scope=Scope.PREWIRE_INSTANCE_TAGS),
    ),
    destructive=True,
)
def isolate_instance(case: AwsCase, target: str, step: Step) -> Status:
    instance = describe_instance(case, target)
    interfaces = instance.get("NetworkInterfaces", [])
    plan = {eni["NetworkInterfaceId"]: _groups_for(case, eni["VpcId"]) for eni in interfaces}
    changed = False if case.options.network_only else protect(case, instance, step)
    changed |= _leave_load_balancing(case, target, step)
    ec2 = case.clients.ec2
    # Recorded before the swaps, so a failure halfway still leaves what release needs.
    previous: dict[str, list[str]] = step.state.setdefault("network_interfaces", {})
    swapped = 0
    for eni in interfaces:
        eni_id = eni["NetworkInterfaceId"]
        isolation, conversion = plan[eni_id]
        current = [g["GroupId"] for g in eni.get("Groups", [])]
        if current == [isolation]:
            continue
        if not set(current) <= {isolation, conversion}:
            previous[eni_id] = current  # a re-run after a partial swap keeps the original
        _swap(case, target, eni, len(interfaces), (conversion, isolation), current, step)
        swapped += 1
    if swapped:
        step.state["contained_at"] = utc_now()  # cut off: what time-to-containment measures
    if not previous:
        del step.state["network_interfaces"]
    if swapped or changed:
        tags = [
            {"Key": ISOLATED_TAG, "Value": case.shared("isolated-at", utc_now)},
            {"Key": CASE_TAG, "Value": case.case_id},
        ]
        case.shared("isolation-tags", lambda: TagBatcher(ec2)).tag(target, tags, step)
    if swapped:
        case.forget(target)
        step.note(f"isolated {swapped} interface(s)")
        step.state["contained"] = True
        return Status.CHANGED
    step.note("already isolated on every interface")
    return Status.CHANGED if changed else Status.UNCHANGED


def _swap(
    case: AwsCase,
    instance_id: str,
    eni: dict[str, Any],
    interfaces: int,
    groups: tuple[str, str],
    current: list[str],
    step: Step,
) -> None:
    """Conversion group, then isolation group. The first change of an instance's only interface
    goes through ModifyInstanceAttribute (it sets the primary interface's groups) and the second
    through ModifyNetworkInterfaceAttribute: two APIs, two of AWS's token buckets, so a fleet's
    swaps are not queued behind one bucket's refill."""
    conversion, isolation = groups
    ec2 = case.clients.ec2
    primary = eni.get("Attachment", {}).get("DeviceIndex", 0) == 0
    if current == [conversion]:
        pass  # a re-run after a partial swap: the connections were already converted
    elif interfaces == 1 and primary:
        step.change(
            "ec2", ec2, "modify_instance_attribute", InstanceId=instance_id, Groups=[conversion]
        )
    else:
        step.change(
            "ec2",
            ec2,
            "modify_network_interface_attribute",
            NetworkInterfaceId=eni["NetworkInterfaceId"],
            Groups=[conversion],
        )
    step.change(
        "ec2",
        ec2,
        "modify_network_interface_attribute",
        NetworkInterfaceId=eni["NetworkInterfaceId"],
        Groups=[isolation],
    )


def _recorded_state(case: AwsCase, instance_id: str) -> dict[str, Any]:
    """Merge what every isolate/protect run recorded, earliest first, so a re-run after a partial
    failure never replaces the original groups with the isolation group."""
    merged: dict[str, Any] = {"network_interfaces": {}, "target_groups": []}
    history = case.release_history(
        "release-instance", instance_id, "isolate-instance", "protect-instance"
    )
    for entry in history:
        state = entry.state
        for eni, groups in state.get("network_interfaces", {}).items():
            merged["network_interfaces"].setdefault(eni, groups)
        merged.setdefault("auto_scaling_group", state.get("auto_scaling_group"))
        for registration in state.get("target_groups", []):
            if registration not in merged["target_groups"]:
                merged["target_groups"].append(registration)
    return merged


@action(
    Cloud.AWS,
    "release-instance",
    summary="Restore the interfaces, target groups and Auto Scaling group recorded at isolation",
    target_kind="instance",
    # Restoring the recorded groups needs any of the account's groups: granted to break-glass.
    permissions=perms("ec2:DescribeInstances")
    + perms(
        "ec2:ModifyNetworkInterfaceAttribute",
        "autoscaling:AttachInstances",
        "elasticloadbalancing:RegisterTargets",
        scope=Scope.ACCOUNT_RESOURCES,
    )
    + perms("ec2:CreateTags", scope=Scope.PREWIRE_INSTANCE_TAGS),
    destructive=True,
    releases=True,
)
def release_instance(case: AwsCase, target: str, step: Step) -> Status:
    state = _recorded_state(case, target)
    instance = describe_instance(case, target)
    if not state["network_interfaces"]:
        raise InputError(f"case {case.case_id} has no recorded isolation of {target}")
    ec2 = case.clients.ec2
    current = {
        e["NetworkInterfaceId"]: [g["GroupId"] for g in e.get("Groups", [])]
        for e in instance.get("NetworkInterfaces", [])
    }
    changed = False
    for eni, groups in state["network_interfaces"].items():
        if eni not in current:
            step.warn(f"interface {eni} is no longer attached; not restored")
            continue
        if sorted(current[eni]) != sorted(groups):
            step.change(
                "ec2",
                ec2,
                "modify_network_interface_attribute",
                NetworkInterfaceId=eni,
                Groups=groups,
            )
            changed = True
    for registration in state["target_groups"]:
        target_spec: dict[str, Any] = {"Id": target}
        if registration.get("port"):
            target_spec["Port"] = registration["port"]
        step.change(
            "elasticloadbalancing",
            case.clients.elbv2,
            "register_targets",
            TargetGroupArn=registration["arn"],
            Targets=[target_spec],
        )
        changed = True
    group = state.get("auto_scaling_group")
    if group and asg_membership(case, target) is None:
        step.change(
            "autoscaling",
            case.clients.autoscaling,
            "attach_instances",
            InstanceIds=[target],
            AutoScalingGroupName=group,
        )
        step.warn(f"re-attached to {group}; it may now scale in a replacement instance")
        changed = True
    if changed:
        step.change(
            "ec2",
            ec2,
            "create_tags",
            Resources=[target],
            Tags=[{"Key": ISOLATED_TAG, "Value": "released " + utc_now()}],
        )
        case.forget(target)
        step.note("restored recorded network access; evidence protections stay on")
        return Status.CHANGED
    step.note("already released")
    return Status.UNCHANGED
