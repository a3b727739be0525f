"""VNet flow logs and the isolation network security groups."""

from __future__ import annotations

from policies.static.azure.common import MAX_FLOW_LOG_DAYS, _refers
from policies.static.engine import Context, Verdict, as_list, graph_rule, resource_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource


@graph_rule("AZURE-FLOW-001", t.AZ_VIRTUAL_NETWORK, t.AZ_FLOW_LOG)
def networks_logged(graph: Graph, context: Context) -> list[Verdict]:
    logs = graph.of_type(t.AZ_FLOW_LOG)
    verdicts = []
    declared = graph.of_type(t.AZ_VIRTUAL_NETWORK)
    for vnet in declared:
        covered = any(_refers(f, "targetResourceId", vnet, vnet.id) for f in logs)
        verdicts.append(
            Verdict(vnet, None, f"{vnet.name}: flow logs")
            if covered
            else Verdict(vnet, f"{vnet.name}: no VNet flow log")
        )
    known = {str(v.id) for v in declared}
    for log in logs:
        if str(log.get("targetResourceId")) not in known:
            verdicts.append(Verdict(log, None, f"{log.get('targetResourceId')}: flow logs"))
    return verdicts


@resource_rule("AZURE-FLOW-002", t.AZ_FLOW_LOG)
def flow_log_quality(flow: Resource, context: Context) -> str | None:
    problems = []
    if int((flow.get("format") or {}).get("version") or 1) < 2:
        problems.append("version 1 records (no bytes or flow state)")
    retention = flow.get("retentionPolicy") or {}
    required = min(context.retention_days, MAX_FLOW_LOG_DAYS)
    if not retention.get("enabled") or int(retention.get("days") or 0) < required:
        problems.append(f"kept {retention.get('days') or 0} days, required {required}")
    analytics = (flow.get("flowAnalyticsConfiguration") or {}).get(
        "networkWatcherFlowAnalyticsConfiguration"
    ) or {}
    if not analytics.get("enabled"):
        problems.append("no traffic analytics to a workspace")
    return "; ".join(problems) or None


def _isolating(group: Resource) -> bool:
    rules = [r for r in as_list(group.get("securityRules")) if isinstance(r, dict)]
    directions = {
        r.get("direction")
        for r in rules
        if r.get("access") == "Deny"
        and int(r.get("priority") or 4096) <= 100
        and r.get("protocol") == "*"
        and r.get("sourceAddressPrefix") == "*"
        and r.get("destinationAddressPrefix") == "*"
    }
    return directions >= {"Inbound", "Outbound"}


@graph_rule("AZURE-NET-001", t.AZ_NSG, t.AZ_VIRTUAL_MACHINE)
def isolation_groups(graph: Graph, context: Context) -> list[Verdict]:
    groups = [g for g in graph.of_type(t.AZ_NSG) if _isolating(g)]
    if not groups:
        return [Verdict(None, "no deny-all isolation network security group")]
    covered = {str(g.get("location")) for g in groups}
    verdicts = [Verdict(g, None, f"{g.name}: isolates in {g.get('location')}") for g in groups]
    for vm in graph.of_type(t.AZ_VIRTUAL_MACHINE):
        if str(vm.get("location")) not in covered:
            verdicts.append(Verdict(vm, f"{vm.name}: no isolation group in {vm.get('location')}"))
    return verdicts
