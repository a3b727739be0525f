"""`prewire:azure:ActivityLogExport`: the subscription's Activity Log, every category, into a
Log Analytics workspace (queried by investigators and responders) and into the audit store's
locked `insights-activity-logs` container (kept as long as the retention says).

Azure keeps the Activity Log for 90 days only; without this, older control-plane history is gone.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_azure_native.monitor as monitor
import pulumi_azure_native.operationalinsights as operationalinsights

from prewire.core import tokens
from responders.azure.discovery import Role
from stacks.azure.base import MAX_WORKSPACE_RETENTION_DAYS, child, tags

ACTIVITY_LOG_CATEGORIES = (
    "Administrative",
    "Security",
    "ServiceHealth",
    "Alert",
    "Recommendation",
    "Policy",
    "Autoscale",
    "ResourceHealth",
)
ACTIVITY_LOG_CONTAINER = "insights-activity-logs"


@dataclass
class ActivityLogExportArgs:
    resource_group_name: pulumi.Input[str]
    location: str
    retention_days: int
    audit_account_id: pulumi.Input[str]


class ActivityLogExport(pulumi.ComponentResource):
    workspace: operationalinsights.Workspace

    def __init__(
        self, name: str, args: ActivityLogExportArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AZURE_ACTIVITY_LOG, name, None, opts)
        self.workspace = operationalinsights.Workspace(
            f"{name}-workspace",
            workspace_name=f"{name}-logs",
            resource_group_name=args.resource_group_name,
            location=args.location,
            sku={"name": "PerGB2018"},
            retention_in_days=max(30, min(args.retention_days, MAX_WORKSPACE_RETENTION_DAYS)),
            features={"enable_log_access_using_only_resource_permissions": True},
            tags=tags(tokens.AZURE_ACTIVITY_LOG, Role.LOG_WORKSPACE.value),
            opts=child(self, protect=True),
        )
        monitor.SubscriptionDiagnosticSetting(
            f"{name}-activity-log",
            name="prewire-activity-log",
            workspace_id=self.workspace.id,
            storage_account_id=args.audit_account_id,
            logs=[{"category": c, "enabled": True} for c in ACTIVITY_LOG_CATEGORIES],
            opts=child(self),
        )
        self.register_outputs(
            {"workspaceId": self.workspace.id, "workspaceCustomerId": self.workspace.customer_id}
        )
