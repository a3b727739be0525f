"""`prewire:azure:ThreatDetection`: Microsoft Defender for Cloud for servers (plan 2) and
containers, and its security alerts streamed to an Event Hub the responder reads.

The continuous-export automation sends High and Medium alerts the moment Defender raises them;
the hub is tagged `prewire:role=alert-hub` so a responder (a Function with an Event Hub trigger,
or `prewire respond` driven by a pipeline) finds it.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.eventhub as eventhub
import pulumi_azure_native.security as security

from prewire.core import tokens
from responders.azure.discovery import Role
from stacks.azure.base import child, subscription_scope, tags

DEFENDER_PLANS = (("VirtualMachines", "P2"), ("Containers", None))
ALERT_SEVERITIES = ("High", "Medium")


@dataclass
class ThreatDetectionArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    location: str
    manage_defender_plans: bool = True


class ThreatDetection(pulumi.ComponentResource):
    namespace: eventhub.Namespace
    hub: eventhub.EventHub

    def __init__(
        self, name: str, args: ThreatDetectionArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AZURE_THREAT_DETECTION, name, None, opts)
        scope = subscription_scope(args.subscription_id)
        if args.manage_defender_plans:
            for plan, sub_plan in DEFENDER_PLANS:
                security.Pricing(
                    f"{name}-{plan.lower()}",
                    scope_id=scope,
                    pricing_name=plan,
                    pricing_tier="Standard",
                    sub_plan=sub_plan,
                    opts=child(self),
                )
        self.namespace = namespace = eventhub.Namespace(
            f"{name}-alerts",
            namespace_name=f"{name}-alerts-{args.subscription_id[:8]}",
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku={"name": "Standard", "tier": "Standard"},
            minimum_tls_version="1.2",
            tags=tags(tokens.AZURE_THREAT_DETECTION),
            opts=child(self),
        )
        self.hub = eventhub.EventHub(
            f"{name}-alerts-hub",
            event_hub_name="defender-alerts",
            namespace_name=namespace.name,
            resource_group_name=args.resource_group_name,
            partition_count=2,
            message_retention_in_days=7,
            opts=child(self),
        )
        sender = eventhub.EventHubAuthorizationRule(
            f"{name}-alerts-send",
            authorization_rule_name="defender-export",
            event_hub_name=self.hub.name,
            namespace_name=namespace.name,
            resource_group_name=args.resource_group_name,
            rights=["Send"],
            opts=child(self),
        )
        keys = eventhub.list_event_hub_keys_output(
            authorization_rule_name=sender.name,
            event_hub_name=self.hub.name,
            namespace_name=namespace.name,
            resource_group_name=args.resource_group_name,
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        security.Automation(
            f"{name}-export",
            automation_name="prewire-alert-export",
            resource_group_name=args.resource_group_name,
            location=args.location,
            is_enabled=True,
            description="prewire: Defender for Cloud alerts to the responder's Event Hub",
            scopes=[{"description": "the subscription", "scope_path": scope}],
            sources=[
                {
                    "event_source": "Alerts",
                    "rule_sets": [
                        {
                            "rules": [
                                {
                                    "property_j_path": "Severity",
                                    "property_type": "String",
                                    "expected_value": severity,
                                    "operator": "Equals",
                                }
                            ]
                        }
                        for severity in ALERT_SEVERITIES
                    ],
                }
            ],
            actions=[
                {
                    "action_type": "EventHub",
                    "event_hub_resource_id": self.hub.id,
                    "connection_string": pulumi.Output.secret(keys.primary_connection_string),
                }
            ],
            tags=tags(tokens.AZURE_THREAT_DETECTION, Role.ALERT_HUB.value),
            opts=child(self),
        )
        self.register_outputs({"alertHubId": self.hub.id})
