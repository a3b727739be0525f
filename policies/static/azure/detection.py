"""Defender for Cloud plans and the continuous export of its alerts."""

from __future__ import annotations

from policies.static.engine import Context, Verdict, as_list, graph_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource


def _plan(graph: Graph, name: str) -> Resource | None:
    for pricing in graph.of_type(t.AZ_DEFENDER_PRICING):
        if pricing.get("pricingName") == name and pricing.get("pricingTier") == "Standard":
            return pricing
    return None


@graph_rule("AZURE-DEF-001", t.AZ_DEFENDER_PRICING)
def defender_for_servers(graph: Graph, context: Context) -> list[Verdict]:
    plan = _plan(graph, "VirtualMachines")
    if plan is None:
        return [Verdict(None, "Defender for Servers is not enabled")]
    if plan.get("subPlan") != "P2":
        return [Verdict(plan, f"Defender for Servers {plan.get('subPlan') or 'P1'}, not P2")]
    return [Verdict(plan, None, "Defender for Servers plan 2")]


@graph_rule("AZURE-DEF-002", t.AZ_DEFENDER_PRICING)
def defender_for_containers(graph: Graph, context: Context) -> list[Verdict]:
    plan = _plan(graph, "Containers")
    if plan is None:
        return [Verdict(None, "Defender for Containers is not enabled")]
    return [Verdict(plan, None, "Defender for Containers")]


@graph_rule("AZURE-DEF-003", t.AZ_SECURITY_AUTOMATION)
def alerts_exported(graph: Graph, context: Context) -> list[Verdict]:
    for automation in graph.of_type(t.AZ_SECURITY_AUTOMATION):
        sources = {str(s.get("eventSource")) for s in as_list(automation.get("sources"))}
        if (
            "Alerts" in sources
            and as_list(automation.get("actions"))
            and automation.get("isEnabled") is not False
        ):
            return [Verdict(automation, None, f"{automation.name} exports alerts")]
    return [Verdict(None, "no enabled security automation exports Defender alerts")]
