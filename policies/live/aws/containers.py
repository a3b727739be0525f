"""EKS logging and ECS Exec and task logs, as deployed."""

from __future__ import annotations

from typing import Any

from policies.live.aws.common import as_resource, context_of
from policies.live.aws.context import AwsLiveContext
from policies.live.engine import LiveVerdict, live_check, verdict
from policies.static.aws import containers as containers_rules


def clusters(ctx: AwsLiveContext) -> list[dict[str, Any]]:
    eks = ctx.clients.eks
    return ctx.once(
        "eks",
        lambda: [
            dict(eks.describe_cluster(name=n)["cluster"])
            for page in eks.get_paginator("list_clusters").paginate()
            for n in page["clusters"]
        ],
    )


@live_check("AWS-EKS-001")
def eks_logging(ctx: AwsLiveContext) -> list[LiveVerdict]:
    result = []
    for cluster in clusters(ctx):
        enabled = [
            t
            for s in cluster.get("logging", {}).get("clusterLogging", [])
            if s.get("enabled")
            for t in s.get("types", [])
        ]
        problem = containers_rules.eks_logging(
            as_resource("eks", cluster["name"], {"EnabledClusterLogTypes": enabled}),
            context_of(ctx),
        )
        result.append(verdict(cluster["arn"], problem if isinstance(problem, str) else None))
    return result


def log_groups(ctx: AwsLiveContext) -> list[dict[str, Any]]:
    return ctx.once(
        "log-groups",
        lambda: [
            dict(g)
            for page in ctx.clients.logs.get_paginator("describe_log_groups").paginate()
            for g in page["logGroups"]
        ],
    )


@live_check("AWS-EKS-002")
def eks_retention(ctx: AwsLiveContext) -> list[LiveVerdict]:
    groups = {g["logGroupName"]: g for g in log_groups(ctx)}
    result = []
    for cluster in clusters(ctx):
        group = groups.get(f"/aws/eks/{cluster['name']}/cluster")
        days = int((group or {}).get("retentionInDays") or 0)
        short = 0 < days < ctx.retention_days
        result.append(
            verdict(cluster["arn"], f"control-plane logs kept {days} days" if short else None)
        )
    return result


@live_check("AWS-EKS-003")
def eks_container_logs(ctx: AwsLiveContext) -> list[LiveVerdict]:
    groups = {g["logGroupName"] for g in log_groups(ctx)}
    result = []
    for cluster in clusters(ctx):
        name = cluster["name"]
        # The log group proves shipping; only without it are the add-ons asked.
        shipped = f"/aws/containerinsights/{name}/application" in groups or (
            containers_rules.LOG_SHIPPER_ADDON
            in ctx.clients.eks.list_addons(clusterName=name).get("addons", [])
        )
        result.append(
            verdict(cluster["arn"], None if shipped else "container logs stay on the nodes")
        )
    return result


@live_check("AWS-ECS-001")
def ecs_exec(ctx: AwsLiveContext) -> list[LiveVerdict]:
    ecs = ctx.clients.ecs
    arns = [
        a for page in ecs.get_paginator("list_clusters").paginate() for a in page["clusterArns"]
    ]
    if not arns:
        return []
    described = ecs.describe_clusters(clusters=arns[:100], include=["CONFIGURATIONS"])["clusters"]
    result = []
    for cluster in described:
        problem = containers_rules.ecs_exec_logging(
            as_resource(
                "ecs", cluster["clusterName"], {"Configuration": cluster.get("configuration", {})}
            ),
            context_of(ctx),
        )
        result.append(verdict(cluster["clusterArn"], problem if isinstance(problem, str) else None))
    return result


@live_check("AWS-ECS-002")
def ecs_logs(ctx: AwsLiveContext) -> list[LiveVerdict]:
    ecs = ctx.clients.ecs
    result = []
    families = [
        f
        for page in ecs.get_paginator("list_task_definition_families").paginate(status="ACTIVE")
        for f in page["families"]
    ]
    for family in families:
        definition = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
        problem = containers_rules.ecs_log_driver(
            as_resource(
                "task", family, {"ContainerDefinitions": definition.get("containerDefinitions", [])}
            ),
            context_of(ctx),
        )
        result.append(
            verdict(definition["taskDefinitionArn"], problem if isinstance(problem, str) else None)
        )
    return result
