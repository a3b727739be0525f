"""EKS control-plane and container logs, ECS Exec logging and task log drivers."""

from __future__ import annotations

import json

from policies.static.aws.common import EKS_LOG_TYPES
from policies.static.engine import Context, Verdict, as_list, graph_rule, resource_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource
from prewire.core.vocabulary import EKS_LOG_SHIPPER_ADDON


@resource_rule("AWS-EKS-001", t.EKS_CLUSTER)
def eks_logging(cluster: Resource, context: Context) -> str | None:
    missing = EKS_LOG_TYPES - {str(v) for v in as_list(cluster.get("enabledClusterLogTypes"))}
    return f"control-plane log types off: {', '.join(sorted(missing))}" if missing else None


@graph_rule("AWS-EKS-002")
def eks_log_retention(graph: Graph, context: Context) -> list[Verdict]:
    groups = {str(g.get("name")): g for g in graph.of_type(t.LOG_GROUP)}
    verdicts = []
    for cluster in graph.of_type(t.EKS_CLUSTER):
        name = str(cluster.get("name") or cluster.outputs.get("name"))
        group = groups.get(f"/aws/eks/{name}/cluster")
        if group is None:
            verdicts.append(
                Verdict(
                    cluster,
                    f"/aws/eks/{name}/cluster is not declared: EKS "
                    "creates it with logs kept forever, unmanaged",
                )
            )
            continue
        days = int(group.get("retentionInDays") or 0)
        short = 0 < days < context.retention_days
        verdicts.append(Verdict(cluster, f"control-plane logs kept {days} days" if short else None))
    return verdicts


LOG_SHIPPER_ADDON = EKS_LOG_SHIPPER_ADDON


@graph_rule("AWS-EKS-003")
def eks_container_logs(graph: Graph, context: Context) -> list[Verdict]:
    addons = {
        str(a.get("clusterName"))
        for a in graph.of_type(t.EKS_ADDON)
        if a.get("addonName") == LOG_SHIPPER_ADDON
    }
    groups = {str(g.get("name")) for g in graph.of_type(t.LOG_GROUP)}
    verdicts = []
    for cluster in graph.of_type(t.EKS_CLUSTER):
        name = str(cluster.get("name") or cluster.outputs.get("name"))
        shipped = name in addons or f"/aws/containerinsights/{name}/application" in groups
        verdicts.append(Verdict(cluster, None if shipped else "container logs stay on the nodes"))
    return verdicts


@resource_rule("AWS-ECS-001", t.ECS_CLUSTER)
def ecs_exec_logging(cluster: Resource, context: Context) -> str | None:
    configuration = (cluster.get("configuration") or {}).get("executeCommandConfiguration") or {}
    logging = configuration.get("logging")
    if logging in ("DEFAULT", "OVERRIDE"):
        return None
    return f"ECS Exec logging is {logging or 'not configured'}"


@resource_rule("AWS-ECS-002", t.ECS_TASK_DEFINITION)
def ecs_log_driver(definition: Resource, context: Context) -> str | None:
    containers = definition.get("containerDefinitions")
    if isinstance(containers, str):
        try:
            containers = json.loads(containers)
        except json.JSONDecodeError:
            return "container definitions are not valid JSON"
    missing = [c.get("name", "?") for c in as_list(containers) if not c.get("logConfiguration")]
    return f"containers without a log driver: {', '.join(missing)}" if missing else None
