"""Detection: a GuardDuty-format finding goes onto the event bus and must be routed by the
stack's finding rule. On the emulator (where functions cannot run) the drill adds a queue target
to that rule and delivers what arrives there to the same handler the deployed function runs."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from prewire.drill.aws.findings import event as envelope
from responders.aws.session import AwsClients

QUEUE_NAME = "prewire-drill-findings"


class RoutingError(RuntimeError):
    """The stack's rule did not route the finding (not deployed, or a pattern that misses it)."""


@dataclass(frozen=True)
class Route:
    rule_name: str
    queue_url: str


def finding_rule(clients: AwsClients) -> str:
    """The prewired rule matching GuardDuty findings."""
    events = clients.client("events")
    for page in events.get_paginator("list_rules").paginate():
        for rule in page["Rules"]:
            pattern = json.loads(rule.get("EventPattern") or "{}")
            if pattern.get("source") == ["aws.guardduty"]:
                return str(rule["Name"])
    raise RoutingError("no EventBridge rule for GuardDuty findings: is the stack deployed?")


def rule_matches(clients: AwsClients, event: dict[str, Any]) -> tuple[str, bool]:
    """Whether the stack's finding rule matches `event`, asked of EventBridge itself.

    For real accounts, where PutEvents refuses `aws.*` sources: the rule's own pattern is tested
    against the event with TestEventPattern. Raises the ClientError of an endpoint without it.
    """
    rule = finding_rule(clients)
    events = clients.client("events")
    pattern = events.describe_rule(Name=rule)["EventPattern"]
    result = events.test_event_pattern(EventPattern=pattern, Event=json.dumps(event))
    return rule, bool(result["Result"])


def add_queue_target(clients: AwsClients, drill_id: str) -> Route:
    """Route the stack's finding rule to a drill queue instead of its function.

    Only for the emulator: moto would try to run the function in Docker. The rule (its pattern,
    its severity threshold) is the stack's own; only the target changes.
    """
    sqs = clients.client("sqs")
    url = sqs.create_queue(
        QueueName=f"{QUEUE_NAME}-{drill_id}"[:80], tags={"prewire:drill": drill_id}
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    rule = finding_rule(clients)
    events = clients.client("events")
    functions = [
        t["Id"] for t in events.list_targets_by_rule(Rule=rule)["Targets"] if ":lambda:" in t["Arn"]
    ]
    if functions:
        events.remove_targets(Rule=rule, Ids=functions)
    events.put_targets(Rule=rule, Targets=[{"Id": f"drill-{drill_id}"[:64], "Arn": arn}])
    return Route(rule_name=rule, queue_url=url)


def remove_queue_target(clients: AwsClients, route: Route, drill_id: str) -> None:
    clients.client("events").remove_targets(Rule=route.rule_name, Ids=[f"drill-{drill_id}"[:64]])
    clients.client("sqs").delete_queue(QueueUrl=route.queue_url)


def inject(clients: AwsClients, detail: dict[str, Any]) -> None:
    entry = envelope(detail)
    result = clients.client("events").put_events(Entries=[{**entry, "Detail": json.dumps(detail)}])
    if result.get("FailedEntryCount"):
        raise RoutingError(f"the event bus refused the finding: {result['Entries']}")


def receive(
    clients: AwsClients, route: Route, finding_id: str, timeout: float = 20.0
) -> dict[str, Any]:
    """The routed event for `finding_id`, as EventBridge delivered it to the queue."""
    sqs = clients.client("sqs")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        messages = sqs.receive_message(
            QueueUrl=route.queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1
        ).get("Messages", [])
        for message in messages:
            sqs.delete_message(QueueUrl=route.queue_url, ReceiptHandle=message["ReceiptHandle"])
            event = json.loads(message["Body"])
            if event.get("detail", {}).get("id") == finding_id:
                return dict(event)
    raise RoutingError(
        f"the finding rule {route.rule_name} did not route finding {finding_id} "
        f"within {timeout:.0f}s (check its severity threshold and pattern)"
    )
