"""VPC flow logs and the quarantine firewall rules, declared or from the baseline."""

from __future__ import annotations

from typing import Any

from policies.baseline import BaselineVerdict, baseline_check
from policies.findings import Status
from policies.static.engine import Context, Verdict, as_list, graph_rule
from policies.static.gcp.common import QUARANTINE_TAG, _last, _name, _networks
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource


def _flow_logged(name: str, graph: Graph) -> str | None:
    for config in graph.of_type(t.GCP_FLOW_LOGS_CONFIG):
        if _last(config.get("network")) != name or config.get("state") == "DISABLED":
            continue
        if config.get("metadata") not in (None, "INCLUDE_ALL_METADATA"):
            return f"network {name}: flow logs without all metadata"
        return None
    subnets = [s for s in graph.of_type(t.GCP_SUBNETWORK) if _last(s.get("network")) == name]
    if subnets and all(s.get("logConfig") for s in subnets):
        return None
    return f"network {name}: no VPC flow logs"


@graph_rule(
    "GCP-FLOW-001",
    t.GCP_NETWORK,
    t.GCP_FLOW_LOGS_CONFIG,
    t.GCP_SUBNETWORK,
    t.GCP_FIREWALL,
    t.GCP_INSTANCE,
)
def networks_logged(graph: Graph, context: Context) -> list[Verdict]:
    return [
        Verdict(resource, problem, f"network {name}: flow logs")
        for name, resource in sorted(_networks(graph, owned_only=context.workload).items())
        for problem in [_flow_logged(name, graph)]
    ]


def _quarantines(rule: Resource, direction: str) -> bool:
    ranges = "sourceRanges" if direction == "INGRESS" else "destinationRanges"
    return (
        rule.get("direction", "INGRESS") == direction
        and int(rule.get("priority", 1000)) == 0
        and not rule.get("disabled")
        and any(str(d.get("protocol")) == "all" for d in as_list(rule.get("denies")) if d)
        and QUARANTINE_TAG in as_list(rule.get("targetTags"))
        and "0.0.0.0/0" in as_list(rule.get(ranges))
    )


@graph_rule("GCP-NET-001", t.GCP_FIREWALL, t.GCP_NETWORK, t.GCP_INSTANCE, t.GCP_FLOW_LOGS_CONFIG)
def quarantine_rules(graph: Graph, context: Context) -> list[Verdict]:
    firewalls = graph.of_type(t.GCP_FIREWALL)
    verdicts = []
    for name, resource in sorted(_networks(graph).items()):
        missing = [
            d
            for d in ("INGRESS", "EGRESS")
            if not any(_last(f.get("network")) == name and _quarantines(f, d) for f in firewalls)
        ]
        problem = (
            f"network {name}: no deny-all {' or '.join(missing).lower()} quarantine rule"
            if missing
            else None
        )
        verdicts.append(Verdict(resource, problem, f"network {name}: quarantine rules"))
    return verdicts or [Verdict(None, None, "no network in the program")]


@baseline_check("GCP-NET-001")
def quarantine_from_baseline(graph: Graph, networks: Any) -> list[BaselineVerdict]:
    declared = {_name(n) for n in graph.of_type(t.GCP_NETWORK)}
    covered = {_last(n) for n in as_list(networks)}
    verdicts = []
    for name, user in sorted(_networks(graph).items()):
        if name in declared:
            status = Status.BASELINE
            message = (
                f"network {name} is new in this program: add it to prewire:gcp.networks of the "
                "baseline stack, which creates its quarantine rules"
            )
        elif networks is None:
            status = Status.BASELINE
            message = f"network {name}: its quarantine rules come from the baseline stack"
        elif name in covered:
            status, message = Status.PASSED, f"network {name}: quarantine rules in the baseline"
        else:
            status = Status.FAILED
            message = f"network {name} has no quarantine rules in the baseline stack"
        verdicts.append(BaselineVerdict(user, status, message))
    return verdicts
