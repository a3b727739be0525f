"""Instances: Session Manager logging, kept volumes and termination lifecycle hooks."""

from __future__ import annotations

import json

from policies.live.aws.common import optional
from policies.live.aws.context import AwsLiveContext
from policies.live.engine import LiveVerdict, failed, live_check, verdict
from policies.static.aws import common as common_rules
from responders.aws.parameters import SESSION_PREFERENCES_DOCUMENT


@live_check("AWS-SSM-001")
def session_logging(ctx: AwsLiveContext) -> list[LiveVerdict]:
    found = optional(ctx.clients.ssm.get_document, Name=SESSION_PREFERENCES_DOCUMENT)
    if not found:
        return [failed(None, "no Session Manager preferences (SSM-SessionManagerRunShell)")]
    inputs = json.loads(found["Content"]).get("inputs", {})
    logged = inputs.get("cloudWatchLogGroupName") or inputs.get("s3BucketName")
    return [verdict(SESSION_PREFERENCES_DOCUMENT, None if logged else "sessions are not logged")]


@live_check("AWS-EBS-001")
def critical_volumes(ctx: AwsLiveContext) -> list[LiveVerdict]:
    pages = ctx.clients.ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": f"tag:{common_rules.CRITICAL_TAG}", "Values": ["true"]}]
    )
    result = []
    for page in pages:
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                deleting = [
                    m["DeviceName"]
                    for m in instance.get("BlockDeviceMappings", [])
                    if m.get("Ebs", {}).get("DeleteOnTermination")
                ]
                result.append(
                    verdict(
                        instance["InstanceId"],
                        f"volumes deleted on termination: {', '.join(deleting)}"
                        if deleting
                        else None,
                    )
                )
    return result


@live_check("AWS-ASG-001")
def termination_hooks(ctx: AwsLiveContext) -> list[LiveVerdict]:
    autoscaling = ctx.clients.autoscaling
    result = []
    for page in autoscaling.get_paginator("describe_auto_scaling_groups").paginate():
        for group in page["AutoScalingGroups"]:
            tags = {t["Key"]: t["Value"] for t in group.get("Tags", [])}
            if tags.get(common_rules.CRITICAL_TAG, "").lower() != "true":
                continue
            hooks = autoscaling.describe_lifecycle_hooks(
                AutoScalingGroupName=group["AutoScalingGroupName"]
            )["LifecycleHooks"]
            holding = [
                h
                for h in hooks
                if h["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_TERMINATING"
            ]
            result.append(
                verdict(
                    group["AutoScalingGroupARN"],
                    None if holding else "no termination lifecycle hook",
                )
            )
    return result
