"""`prewire:gcp:FindingNotifications`: Security Command Center findings streamed to Pub/Sub.

High and critical active findings are published to a topic (organization-wide when an
organization is configured, else for the project) with a pull subscription the responder reads;
unacknowledged findings wait there for seven days.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_gcp as gcp

from prewire.core import tokens
from stacks.gcp.base import child, labels

FINDING_FILTER = 'state="ACTIVE" AND (severity="HIGH" OR severity="CRITICAL")'
RETENTION = "604800s"  # seven days, Pub/Sub's maximum for a subscription
FINDING_TOPIC = "prewire-scc-findings"
FINDING_SUBSCRIPTION = "prewire-responder"


@dataclass
class FindingNotificationsArgs:
    project: str
    organization_id: str | None = None


class FindingNotifications(pulumi.ComponentResource):
    topic: gcp.pubsub.Topic
    subscription: gcp.pubsub.Subscription

    def __init__(
        self, name: str, args: FindingNotificationsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.GCP_DETECTION, name, None, opts)
        self.topic = gcp.pubsub.Topic(
            f"{name}-findings",
            name=FINDING_TOPIC,
            project=args.project,
            message_retention_duration=RETENTION,
            labels=labels(tokens.GCP_DETECTION, "finding-topic"),
            opts=child(self),
        )
        self.subscription = gcp.pubsub.Subscription(
            f"{name}-responder",
            name=FINDING_SUBSCRIPTION,
            project=args.project,
            topic=self.topic.id,
            ack_deadline_seconds=600,
            message_retention_duration=RETENTION,
            retain_acked_messages=True,
            expiration_policy={"ttl": ""},  # never expires for lack of readers
            labels=labels(tokens.GCP_DETECTION, "finding-subscription"),
            opts=child(self),
        )
        common: dict[str, Any] = {
            "config_id": "prewire-findings",
            "location": "global",
            "description": "prewire: high and critical findings to the responder",
            "pubsub_topic": self.topic.id,
            "streaming_config": {"filter": FINDING_FILTER},
            "opts": child(self),
        }
        config: pulumi.CustomResource = (
            gcp.securitycenter.V2OrganizationNotificationConfig(
                f"{name}-scc", organization=args.organization_id, **common
            )
            if args.organization_id
            else gcp.securitycenter.V2ProjectNotificationConfig(
                f"{name}-scc", project=args.project, **common
            )
        )
        self.register_outputs({"topic": self.topic.id, "notification": config.id})
