"""collect-cluster: an EKS cluster's configuration, control-plane logs and node list.

Records which control-plane log types were enabled and, if any of the five were off, enables
them (the change is recorded; it only adds logging). Audit and authenticator logs for the window
are exported from CloudWatch Logs. Node instances are listed so `snapshot-disks` can preserve
their file systems (the eks-node-compromise playbook does that).
"""

from __future__ import annotations

from typing import Any

from prewire.core.vocabulary import EKS_CONTROL_PLANE_LOG_TYPES, Cloud, EvidenceSource
from responders.aws.case import AwsCase
from responders.aws.cloudwatch_export import as_jsonl, filter_events
from responders.registry import Scope, action, perms
from responders.runtime import Status, Step

LOG_TYPES = EKS_CONTROL_PLANE_LOG_TYPES
EXPORTED_STREAMS = {"audit": "kube-apiserver-audit", "authenticator": "authenticator"}


def enabled_log_types(cluster: dict[str, Any]) -> set[str]:
    enabled: set[str] = set()
    for setting in cluster.get("logging", {}).get("clusterLogging", []):
        if setting.get("enabled"):
            enabled.update(setting.get("types", []))
    return enabled


def node_instances(case: AwsCase, cluster: str) -> list[str]:
    found = case.clients.ec2.describe_instances(
        Filters=[
            {"Name": "tag:eks:cluster-name", "Values": [cluster]},
            {
                "Name": "instance-state-name",
                "Values": ["pending", "running", "stopping", "stopped"],
            },
        ]
    )
    return sorted(i["InstanceId"] for r in found["Reservations"] for i in r["Instances"])


@action(
    Cloud.AWS,
    "collect-cluster",
    summary="EKS configuration, enable all control-plane logs, export audit logs, list nodes",
    target_kind="eks-cluster",
    permissions=perms("ec2:DescribeInstances")
    + perms(
        "eks:DescribeCluster",
        "eks:UpdateClusterConfig",
        "eks:ListNodegroups",
        "eks:DescribeNodegroup",
        "logs:FilterLogEvents",
        scope=Scope.ACCOUNT_RESOURCES,
    ),
    destructive=False,
    produces=(
        EvidenceSource.EKS_AUDIT_LOGS,
        EvidenceSource.EKS_CONTROL_PLANE_LOGS,
        EvidenceSource.EKS_CONTAINER_LOGS,
    ),
)
def collect_cluster(case: AwsCase, target: str, step: Step) -> Status:
    eks = case.clients.eks
    cluster = dict(eks.describe_cluster(name=target)["cluster"])
    enabled = enabled_log_types(cluster)
    step.state["log_types_enabled_before"] = sorted(enabled)
    missing = [t for t in LOG_TYPES if t not in enabled]
    changed = False
    if missing:
        step.change(
            "eks",
            eks,
            "update_cluster_config",
            name=target,
            logging={"clusterLogging": [{"types": list(LOG_TYPES), "enabled": True}]},
        )
        step.warn(
            f"control-plane logging was off for {', '.join(missing)}: enabled now; "
            "events before this moment were never logged"
        )
        changed = True
    earlier = case.collected_before(step.action, target)
    if earlier:
        step.note(f"cluster already collected at {earlier}")
        return Status.CHANGED if changed else Status.UNCHANGED
    nodegroups = []
    for page in eks.get_paginator("list_nodegroups").paginate(clusterName=target):
        for name in page.get("nodegroups", []):
            nodegroups.append(
                eks.describe_nodegroup(clusterName=target, nodegroupName=name)["nodegroup"]
            )
    nodes = node_instances(case, target)
    step.state["node_instances"] = nodes
    case.save_json(step, "cluster.json", cluster, "DescribeCluster")
    case.save_json(step, "nodegroups.json", nodegroups, "DescribeNodegroup")
    case.save_json(step, "node-instances.json", nodes, "instances tagged eks:cluster-name")
    group = f"/aws/eks/{target}/cluster"
    for log_type, prefix in EXPORTED_STREAMS.items():
        events = filter_events(case, group, stream_prefix=prefix)
        if events is None:
            step.warn(f"log group {group} does not exist: no {log_type} logs to export")
            break
        case.save(step, f"{log_type}.jsonl", as_jsonl(events), f"{group} {prefix}*")
        step.note(f"{len(events)} {log_type} event(s)")
    insights = f"/aws/containerinsights/{target}/application"
    containers = filter_events(case, insights)
    if containers is None:
        step.warn(
            f"{insights} does not exist: container logs were not shipped off the nodes; "
            "they survive only on the node volumes (snapshot them)"
        )
    else:
        case.save(step, "container-logs.jsonl", as_jsonl(containers), insights)
    step.note(f"{len(nodes)} node instance(s): preserve them with snapshot-disks")
    return Status.COLLECTED
