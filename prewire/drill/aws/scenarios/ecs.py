"""ecs-task-compromise: a Fargate task of a service steals its role's credentials and mines."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from prewire.core.vocabulary import Cloud
from prewire.drill.aws import findings
from prewire.drill.aws.environment import PreparedAccount
from prewire.drill.aws.scenarios.common import AwsRun
from prewire.drill.scenarios import (
    COMMON,
    Expectation,
    Scenario,
    not_collected,
    register,
    stored_text,
)
from responders.aws.ecs_tasks import log_streams

ECS_ATTACK_LINES = (
    "curl -s http://169.254.170.2/v2/credentials/$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "xmrig --url pool.drill.invalid:3333 --donate-level 0",
)


def _victim_task(account: PreparedAccount) -> dict[str, Any]:
    victim = account.victim
    [task] = account.clients.ecs.describe_tasks(
        cluster=victim.ecs_cluster, tasks=[victim.ecs_task]
    )["tasks"]
    return dict(task)


def _task_stream(account: PreparedAccount) -> tuple[str, str]:
    """The awslogs group and stream of the task's container, as its definition names them."""
    task = _victim_task(account)
    definition = account.clients.ecs.describe_task_definition(
        taskDefinition=task["taskDefinitionArn"]
    )["taskDefinition"]
    [stream] = log_streams(dict(definition), task["taskArn"].rsplit("/", 1)[-1])
    return stream


def _ecs_attack(account: PreparedAccount, start: datetime) -> None:
    """What the compromised container printed: a credential theft and a miner starting."""
    logs = account.clients.logs
    group, stream = _task_stream(account)
    if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
        logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events: list[Any] = [
        {"timestamp": int((start + timedelta(minutes=n)).timestamp() * 1000), "message": line}
        for n, line in enumerate(ECS_ATTACK_LINES)
    ]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def _ecs_finding(account: PreparedAccount, when: datetime) -> dict[str, Any]:
    task = _victim_task(account)
    return findings.finding(
        "CryptoCurrency:Runtime/BitcoinTool.B",
        8.0,
        findings.ecs_resource(task["clusterArn"], task),
        account.clients.region,
        when,
        account.account_id,
    )


def _task_state_collected(run: AwsRun) -> str | None:
    victim = run.account.victim
    definition = _victim_task(run.account)["taskDefinitionArn"]
    return not_collected(
        stored_text(run, "collect-tasks", "tasks.json")
        + stored_text(run, "collect-tasks", "task-definitions.json")
        + stored_text(run, "collect-tasks", "service.json"),
        (
            ("the task's state", victim.ecs_task),
            ("its network attachment", "networkInterfaceId"),
            ("its task definition", definition),
            ("the service", victim.ecs_service),
        ),
    )


def _task_logs_collected(run: AwsRun) -> str | None:
    return not_collected(
        stored_text(run, "collect-tasks", ".jsonl"),
        tuple((f"container log line {n + 1}", line) for n, line in enumerate(ECS_ATTACK_LINES)),
    )


def _task_left_running(run: AwsRun) -> str | None:
    status = _victim_task(run.account)["desiredStatus"]
    return None if status == "RUNNING" else f"the task was asked to stop (desired {status})"


register(
    Scenario(
        cloud=Cloud.AWS,
        name="ecs-task-compromise",
        summary="A Fargate task of an ECS service steals its role's credentials and mines",
        auto_contain=False,
        response="action collect-tasks",
        finding=_ecs_finding,
        prepare=_ecs_attack,
        expectations=(
            Expectation(
                "the task's state, definition and service collected",
                _task_state_collected,
                "Grant ecs:ListTasks, ecs:DescribeTasks, ecs:DescribeTaskDefinition and "
                "ecs:DescribeServices; a stopped Fargate task stays listed for about an hour.",
            ),
            Expectation(
                "the container's logs collected",
                _task_logs_collected,
                "Give every container an awslogs (or FireLens) log configuration: a Fargate "
                "task's own disk is gone when it stops.",
            ),
            Expectation(
                "the compromised task left running",
                _task_left_running,
                "Collecting evidence must not stop the task; stop it only when containment is "
                "decided, after its state and logs are kept.",
            ),
            *COMMON,
        ),
    )
)
