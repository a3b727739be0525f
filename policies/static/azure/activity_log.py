"""The subscription's Activity Log: exported, archived immutably, and kept in the workspace."""

from __future__ import annotations

from policies.static.azure.common import (
    ACTIVITY_LOG_CATEGORIES,
    ACTIVITY_LOG_CONTAINER,
    MAX_WORKSPACE_DAYS,
    _categories,
    _container_name,
    _locked,
    _of_account,
    _policy,
    _refers,
)
from policies.static.engine import Context, Verdict, graph_rule, resource_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource


@graph_rule("AZURE-LOG-001", t.AZ_SUBSCRIPTION_DIAGNOSTICS)
def activity_log_exported(graph: Graph, context: Context) -> list[Verdict]:
    settings = graph.of_type(t.AZ_SUBSCRIPTION_DIAGNOSTICS)
    if not settings:
        return [Verdict(None, "no subscription diagnostic setting exports the Activity Log")]
    verdicts = []
    for setting in settings:
        missing = sorted(ACTIVITY_LOG_CATEGORIES - _categories(setting))
        destination = setting.get("workspaceId") or setting.get("storageAccountId")
        if not destination:
            verdicts.append(Verdict(setting, f"{setting.name} sends the Activity Log nowhere"))
        elif missing:
            verdicts.append(Verdict(setting, f"{setting.name} leaves out {', '.join(missing)}"))
        else:
            verdicts.append(Verdict(setting, None, f"{setting.name} exports every category"))
    return verdicts


@graph_rule(
    "AZURE-LOG-002",
    t.AZ_SUBSCRIPTION_DIAGNOSTICS,
    t.AZ_STORAGE_ACCOUNT,
    t.AZ_BLOB_CONTAINER,
    t.AZ_IMMUTABILITY_POLICY,
)
def activity_log_archived(graph: Graph, context: Context) -> list[Verdict]:
    settings = [
        s for s in graph.of_type(t.AZ_SUBSCRIPTION_DIAGNOSTICS) if s.get("storageAccountId")
    ]
    if not settings:
        return [Verdict(None, "the Activity Log is not archived to a storage account")]
    verdicts = []
    for setting in settings:
        accounts = [
            a
            for a in graph.of_type(t.AZ_STORAGE_ACCOUNT)
            if _refers(setting, "storageAccountId", a, a.id)
        ]
        archived = [
            c
            for a in accounts
            for c in _of_account(graph, t.AZ_BLOB_CONTAINER, a)
            if _container_name(c) == ACTIVITY_LOG_CONTAINER
            and _policy(graph, a, c) is not None
            and _locked(graph, a, c)
        ]
        verdicts.append(
            Verdict(setting, None, f"{setting.name}: archived under a locked policy")
            if archived
            else Verdict(
                setting,
                f"{setting.name}: its storage account has no locked immutability policy on "
                f"{ACTIVITY_LOG_CONTAINER}",
            )
        )
    return verdicts


@resource_rule("AZURE-LOG-003", t.AZ_WORKSPACE)
def workspace_retention(workspace: Resource, context: Context) -> str | None:
    required = min(context.retention_days, MAX_WORKSPACE_DAYS)
    days = int(workspace.get("retentionInDays") or 30)
    return None if days >= required else f"keeps logs {days} days, required {required}"
