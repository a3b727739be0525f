"""collect-tasks: an ECS cluster's or service's task definitions, tasks and container logs."""

from __future__ import annotations

from typing import Any

from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.aws.case import AwsCase
from responders.aws.cloudwatch_export import as_jsonl, filter_events
from responders.registry import Scope, action, perms
from responders.runtime import Status, Step

DESCRIBE_BATCH = 100


def _tasks(case: AwsCase, cluster: str, service: str | None) -> list[dict[str, Any]]:
    ecs = case.clients.ecs
    arns: list[str] = []
    for status in ("RUNNING", "STOPPED"):  # stopped tasks stay listed for about an hour
        params: dict[str, Any] = {"cluster": cluster, "desiredStatus": status}
        if service:
            params["serviceName"] = service
        for page in ecs.get_paginator("list_tasks").paginate(**params):
            arns += page.get("taskArns", [])
    tasks: list[dict[str, Any]] = []
    for start in range(0, len(arns), DESCRIBE_BATCH):
        batch = arns[start : start + DESCRIBE_BATCH]
        tasks += [dict(t) for t in ecs.describe_tasks(cluster=cluster, tasks=batch)["tasks"]]
    return tasks


def log_streams(definition: dict[str, Any], task_id: str) -> list[tuple[str, str]]:
    """(group, stream) of each awslogs container of a task."""
    streams = []
    for container in definition.get("containerDefinitions", []):
        config = container.get("logConfiguration", {})
        if config.get("logDriver") != "awslogs":
            continue
        options = config.get("options", {})
        group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
        if group and prefix:
            streams.append((group, f"{prefix}/{container['name']}/{task_id}"))
    return streams


@action(
    Cloud.AWS,
    "collect-tasks",
    summary="ECS task definitions, running and recently stopped tasks, container logs",
    target_kind="ecs-service",
    permissions=perms("ecs:DescribeTaskDefinition")
    + perms(
        "ecs:DescribeClusters",
        "ecs:DescribeServices",
        "ecs:ListTasks",
        "ecs:DescribeTasks",
        "logs:FilterLogEvents",
        scope=Scope.ACCOUNT_RESOURCES,
    ),
    destructive=False,
    produces=(EvidenceSource.ECS_TASK_FILES, EvidenceSource.ECS_TASK_LOGS),
)
def collect_tasks(case: AwsCase, target: str, step: Step) -> Status:
    earlier = case.collected_before(step.action, target)
    if earlier:
        step.note(f"tasks already collected at {earlier}")
        return Status.UNCHANGED
    cluster, _, service = target.partition("/")
    ecs = case.clients.ecs
    tasks = _tasks(case, cluster, service or None)
    definitions: dict[str, dict[str, Any]] = {}
    for arn in sorted({t["taskDefinitionArn"] for t in tasks}):
        definitions[arn] = dict(ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"])
    if service:
        case.save_json(
            step,
            "service.json",
            ecs.describe_services(cluster=cluster, services=[service])["services"],
        )
    case.save_json(step, "tasks.json", tasks, "DescribeTasks (running and stopped)")
    case.save_json(step, "task-definitions.json", definitions, "DescribeTaskDefinition")
    exported = 0
    for task in tasks:
        task_id = task["taskArn"].split("/")[-1]
        for group, stream in log_streams(definitions[task["taskDefinitionArn"]], task_id):
            events = filter_events(case, group, streams=[stream])
            if events is None:
                step.warn(f"log group {group} missing for task {task_id}")
                continue
            case.save(
                step,
                f"logs/{task_id}/{stream.split('/')[1]}.jsonl",
                as_jsonl(events),
                f"{group}:{stream}",
            )
            exported += len(events)
    step.note(f"{len(tasks)} task(s), {len(definitions)} definition(s), {exported} log event(s)")
    return Status.COLLECTED
