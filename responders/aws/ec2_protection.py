"""Protect an EC2 instance's evidence before anything else changes: no termination (by an attacker,
a person or its Auto Scaling group) and volumes that survive it. Nothing here stops, reboots or
terminates."""

from __future__ import annotations

import threading
from typing import Any

from prewire.core.vocabulary import Cloud
from responders.aws.case import AwsCase
from responders.aws.targets import describe_instance
from responders.registry import Scope, action, perms
from responders.runtime import Status, Step

PROTECT_PERMISSIONS = perms(
    "ec2:DescribeInstances", "autoscaling:DescribeAutoScalingInstances"
) + perms(
    "ec2:DescribeInstanceAttribute",
    "ec2:ModifyInstanceAttribute",
    "autoscaling:SetInstanceProtection",
    scope=Scope.ACCOUNT_RESOURCES,
)


ASG_BATCH = 50  # DescribeAutoScalingInstances takes at most 50 ids


def asg_membership(case: AwsCase, instance_id: str) -> dict[str, Any] | None:
    """Auto Scaling membership, asked in batches of 50 for every instance this run knows."""
    cache = _asg_cache(case)
    with cache["lock"]:
        if instance_id not in cache["asked"]:
            ids = sorted((set(case.remembered_ids()) | {instance_id}) - cache["asked"])
            for start in range(0, len(ids), ASG_BATCH):
                found = case.clients.autoscaling.describe_auto_scaling_instances(
                    InstanceIds=ids[start : start + ASG_BATCH]
                )
                for member in found["AutoScalingInstances"]:
                    cache["members"][member["InstanceId"]] = dict(member)
            cache["asked"].update(ids)
        member = cache["members"].get(instance_id)
        return dict(member) if member else None


def _asg_cache(case: AwsCase) -> dict[str, Any]:
    return case.shared("asg", lambda: {"lock": threading.Lock(), "asked": set(), "members": {}})


def _update_member(case: AwsCase, instance_id: str, **fields: Any) -> None:
    cache = _asg_cache(case)
    with cache["lock"]:
        if instance_id in cache["members"]:
            cache["members"][instance_id].update(fields)


def left_group(case: AwsCase, instance_id: str) -> None:
    cache = _asg_cache(case)
    with cache["lock"]:
        cache["members"].pop(instance_id, None)


def _termination_protected_by_case(case: AwsCase, instance_id: str) -> bool:
    """Whether this case already turned termination protection on (its custody says so)."""
    if case.custody is None:
        return False
    return any(
        call.operation == "ModifyInstanceAttribute"
        and "DisableApiTermination" in (call.params or {})
        and not call.error
        for entry in case.custody.history(target=instance_id)
        for call in entry.calls
    )


def protect(case: AwsCase, instance: dict[str, Any], step: Step) -> bool:
    """Termination protection, shutdown = stop, volumes kept on termination, scale-in protection.

    Returns whether anything changed; records the previous values in the step's state.
    """
    ec2 = case.clients.ec2
    instance_id = instance["InstanceId"]
    previous: dict[str, Any] = step.state.setdefault("protection", {})
    if not _termination_protected_by_case(case, instance_id):
        # Set without reading it first: it is off on nearly every instance, and a read would
        # cost a token of DescribeInstanceAttribute's bucket for no call saved.
        previous["disable_api_termination"] = "set"
        step.change(
            "ec2",
            ec2,
            "modify_instance_attribute",
            InstanceId=instance_id,
            DisableApiTermination={"Value": True},
        )
    shutdown = ec2.describe_instance_attribute(
        InstanceId=instance_id, Attribute="instanceInitiatedShutdownBehavior"
    )["InstanceInitiatedShutdownBehavior"]["Value"]
    if shutdown != "stop":
        previous["shutdown_behavior"] = shutdown
        step.change(
            "ec2",
            ec2,
            "modify_instance_attribute",
            InstanceId=instance_id,
            InstanceInitiatedShutdownBehavior={"Value": "stop"},
        )
    deleting = [
        m["DeviceName"]
        for m in instance.get("BlockDeviceMappings", [])
        if m.get("Ebs", {}).get("DeleteOnTermination")
    ]
    if deleting:
        previous["delete_on_termination"] = deleting
        step.change(
            "ec2",
            ec2,
            "modify_instance_attribute",
            InstanceId=instance_id,
            BlockDeviceMappings=[
                {"DeviceName": d, "Ebs": {"DeleteOnTermination": False}} for d in deleting
            ],
        )
    membership = asg_membership(case, instance_id)
    if membership and not membership.get("ProtectedFromScaleIn"):
        previous["scale_in_protection"] = {"group": membership["AutoScalingGroupName"]}
        step.change(
            "autoscaling",
            case.clients.autoscaling,
            "set_instance_protection",
            InstanceIds=[instance_id],
            AutoScalingGroupName=membership["AutoScalingGroupName"],
            ProtectedFromScaleIn=True,
        )
        _update_member(case, instance_id, ProtectedFromScaleIn=True)
    if not previous:
        del step.state["protection"]
        return False
    case.forget(instance_id)
    step.note("protected: " + ", ".join(sorted(previous)))
    return True


@action(
    Cloud.AWS,
    "protect-instance",
    summary="Termination protection, stop on shutdown, keep volumes, scale-in protection",
    target_kind="instance",
    permissions=PROTECT_PERMISSIONS,
    destructive=False,
)
def protect_instance(case: AwsCase, target: str, step: Step) -> Status:
    changed = protect(case, describe_instance(case, target), step)
    if not changed:
        step.note("already protected")
    return Status.CHANGED if changed else Status.UNCHANGED
