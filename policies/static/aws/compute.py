"""Instances: Session Manager logging, kept volumes and termination lifecycle hooks."""

from __future__ import annotations

from typing import Any

from policies.static.aws.common import CRITICAL_TAG, _tags
from policies.static.engine import (
    NOT_APPLICABLE,
    Context,
    Verdict,
    as_document,
    as_list,
    graph_rule,
    resource_rule,
)
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource


@graph_rule("AWS-SSM-001")
def session_logging(graph: Graph, context: Context) -> list[Verdict]:
    for document in graph.of_type(t.SSM_DOCUMENT):
        if document.get("documentType") != "Session":
            continue
        inputs = as_document(document.get("content")).get("inputs") or {}
        if inputs.get("cloudWatchLogGroupName") or inputs.get("s3BucketName"):
            return [Verdict(document, None, "sessions are logged")]
        return [Verdict(document, "Session Manager preferences log nowhere")]
    return [Verdict(None, "no Session Manager preferences document (SSM-SessionManagerRunShell)")]


def _is_critical(resource: Resource) -> bool:
    tags = _tags(resource)
    if not tags:
        tags = {
            str(tag.get("key")): str(tag.get("value"))
            for tag in as_list(resource.get("tags"))
            if isinstance(tag, dict)
        }
    return tags.get(CRITICAL_TAG, "").lower() == "true"


@resource_rule("AWS-EBS-001", t.EC2_INSTANCE, t.LAUNCH_TEMPLATE)
def critical_volumes_kept(resource: Resource, context: Context) -> Any:
    if not _is_critical(resource):
        return NOT_APPLICABLE
    deleting = []
    if resource.type == t.EC2_INSTANCE:  # an instance's own blocks
        root = resource.get("rootBlockDevice") or {}
        if root.get("deleteOnTermination", True) is not False:
            deleting.append("root")
        for device in as_list(resource.get("ebsBlockDevices")):
            if device.get("deleteOnTermination", True) is not False:
                deleting.append(str(device.get("deviceName")))
    else:  # a launch template's mappings; the instance defaults are the image's
        for mapping in as_list(resource.get("blockDeviceMappings")):
            kept = str((mapping.get("ebs") or {}).get("deleteOnTermination", "true")).lower()
            if kept != "false":
                deleting.append(str(mapping.get("deviceName")))
    return f"volumes deleted on termination: {', '.join(deleting)}" if deleting else None


@resource_rule("AWS-ASG-001", t.AUTOSCALING_GROUP)
def termination_hook(group: Resource, context: Context) -> Any:
    if not _is_critical(group):
        return NOT_APPLICABLE
    hooks = [
        h
        for h in as_list(group.get("initialLifecycleHooks"))
        if h.get("lifecycleTransition") == "autoscaling:EC2_INSTANCE_TERMINATING"
    ]
    return None if hooks else "no termination lifecycle hook"
