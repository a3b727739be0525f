"""`prewire:azure:WorkloadDiagnostics`: the logs AKS clusters and Function Apps keep only when
asked: kube-audit, kube-audit-admin, the API server and guard for each configured cluster, and
FunctionAppLogs for each configured Function App, into the workspace (resource-specific tables,
which collect-logs queries) and into the audit store's locked containers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.monitor as monitor

from prewire.core import tokens
from stacks.azure.base import child, name_of

AKS_CATEGORIES = ("kube-audit", "kube-audit-admin", "kube-apiserver", "guard")
FUNCTION_CATEGORIES = ("FunctionAppLogs",)
SETTING_NAME = "prewire"


def log_containers() -> list[str]:
    """The audit store's containers the diagnostic settings write to (Azure's naming)."""
    return [f"insights-logs-{c.lower()}" for c in (*AKS_CATEGORIES, *FUNCTION_CATEGORIES)]


def diagnostic_setting(
    name: str,
    resource_uri: pulumi.Input[str],
    categories: Sequence[str],
    workspace_id: pulumi.Input[str],
    audit_account_id: pulumi.Input[str],
    parent: pulumi.Resource,
) -> monitor.DiagnosticSetting:
    """The resource's `categories` into the workspace and the audit store's locked containers."""
    return monitor.DiagnosticSetting(
        name,
        name=SETTING_NAME,
        resource_uri=resource_uri,
        workspace_id=workspace_id,
        log_analytics_destination_type="Dedicated",
        storage_account_id=audit_account_id,
        logs=[{"category": c, "enabled": True} for c in categories],
        opts=child(parent),
    )


@dataclass
class WorkloadDiagnosticsArgs:
    aks_cluster_ids: Sequence[str]
    function_app_ids: Sequence[str]
    workspace_id: pulumi.Input[str]
    audit_account_id: pulumi.Input[str]


class WorkloadDiagnostics(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: WorkloadDiagnosticsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AZURE_DIAGNOSTICS, name, None, opts)
        for resource_ids, categories in (
            (args.aks_cluster_ids, AKS_CATEGORIES),
            (args.function_app_ids, FUNCTION_CATEGORIES),
        ):
            for resource_id in resource_ids:
                diagnostic_setting(
                    f"{name}-{name_of(resource_id)}",
                    resource_id,
                    categories,
                    args.workspace_id,
                    args.audit_account_id,
                    self,
                )
        self.register_outputs({})
