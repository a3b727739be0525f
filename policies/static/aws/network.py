"""VPC flow logs and the isolation and conversion security groups, declared or from the baseline."""

from __future__ import annotations

from typing import Any

from policies.baseline import BaselineVerdict, baseline_check
from policies.findings import Status
from policies.static.aws.common import FLOW_FIELDS, _known_vpcs, _tags
from policies.static.engine import Context, Verdict, as_list, graph_rule, resource_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource
from prewire.core.vocabulary import ROLE_TAG


@graph_rule("AWS-FLOW-001")
def vpc_flow_logs(graph: Graph, context: Context) -> list[Verdict]:
    covered = {str(f.get("vpcId")) for f in graph.of_type(t.FLOW_LOG) if f.get("vpcId")}
    vpc_resources = {str(v.id): v for v in graph.of_type(t.VPC)}
    return [
        Verdict(
            vpc_resources.get(vpc),
            None if vpc in covered else f"{vpc} has no flow log",
            f"{vpc} has flow logs",
        )
        for vpc in sorted(_known_vpcs(graph))
    ]


@resource_rule("AWS-FLOW-002", t.FLOW_LOG)
def flow_log_fields(flow_log: Resource, context: Context) -> str | None:
    if flow_log.get("trafficType") != "ALL":
        return f"traffic type {flow_log.get('trafficType')}, not ALL"
    log_format = str(flow_log.get("logFormat") or "")
    missing = [f for f in FLOW_FIELDS if f not in log_format]
    return f"log format lacks {', '.join(missing)}" if missing else None


def _group_rules(group: Resource) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return as_list(group.get("ingress")), as_list(group.get("egress"))


def _is_isolation(group: Resource) -> bool:
    if _tags(group).get(ROLE_TAG) == "isolation":
        return True
    ingress, egress = _group_rules(group)
    return not ingress and all(r.get("securityGroups") and not r.get("cidrBlocks") for r in egress)


def _is_conversion(group: Resource) -> bool:
    if _tags(group).get(ROLE_TAG) == "conversion":
        return True
    ingress, egress = _group_rules(group)

    def everything(rules: list[dict[str, Any]]) -> bool:
        return any(
            str(r.get("protocol")) == "-1" and "0.0.0.0/0" in as_list(r.get("cidrBlocks"))
            for r in rules
        )

    return everything(ingress) and everything(egress)


def _vpcs_with(graph: Graph, kind: Any) -> set[str]:
    return {str(g.get("vpcId")) for g in graph.of_type(t.SECURITY_GROUP) if kind(g)}


@graph_rule("AWS-ISO-001")
def isolation_groups(graph: Graph, context: Context) -> list[Verdict]:
    ready = _vpcs_with(graph, _is_isolation)
    return [
        Verdict(
            None,
            None if vpc in ready else f"{vpc} has no isolation security group",
            f"{vpc} has an isolation group",
        )
        for vpc in sorted(_known_vpcs(graph))
    ]


@graph_rule("AWS-ISO-002")
def conversion_groups(graph: Graph, context: Context) -> list[Verdict]:
    ready = _vpcs_with(graph, _is_conversion)
    return [
        Verdict(
            None,
            None if vpc in ready else f"{vpc} has no conversion security group",
            f"{vpc} has a conversion group",
        )
        for vpc in sorted(_known_vpcs(graph))
    ]


def _used_vpcs(graph: Graph) -> dict[str, Resource]:
    """VPCs a program declares or places resources in, by id, with a resource naming each."""
    used: dict[str, Resource] = {str(v.id): v for v in graph.of_type(t.VPC) if v.id}
    # Under the mocks resources register in the order their inputs resolve, which varies from
    # run to run: name each VPC by a fixed preference (kind, then URN) so findings are stable.
    rank = {token: i for i, token in enumerate(t.VPC_MEMBERS)}
    members = graph.of_type(*t.VPC_MEMBERS)
    for resource in sorted(members, key=lambda r: (rank.get(r.type, len(rank)), r.urn)):
        vpc = resource.inputs.get("vpcId")
        if isinstance(vpc, str) and vpc.startswith("vpc-"):
            used.setdefault(vpc, resource)
    return used


def _groups_from_baseline(graph: Graph, groups: Any, kind: str) -> list[BaselineVerdict]:
    declared = {str(v.id) for v in graph.of_type(t.VPC)}
    verdicts = []
    for vpc, user in sorted(_used_vpcs(graph).items()):
        if vpc in declared:
            status, message = (
                Status.BASELINE,
                f"{vpc} is new in this program: once deployed, add its id to prewire:aws.vpcIds "
                f"of the baseline stack, which creates its {kind} group",
            )
        elif groups is None:
            status, message = (
                Status.BASELINE,
                f"{vpc}: its {kind} group comes from the baseline stack "
                "(pass --baseline-stack-outputs to check it)",
            )
        elif vpc in graph.placeholders:
            status, message = (
                Status.BASELINE,
                f"{vpc} is looked up at deploy time and cannot be matched offline: "
                "check the deployed account with `prewire audit aws`",
            )
        elif isinstance(groups, dict) and groups.get(vpc):
            status, message = Status.PASSED, f"{vpc}: {kind} group {groups[vpc]} in the baseline"
        else:
            status, message = (
                Status.FAILED,
                f"{vpc} has no {kind} group in the baseline stack: add it to prewire:aws.vpcIds",
            )
        verdicts.append(BaselineVerdict(user, status, message))
    return verdicts


@baseline_check("AWS-ISO-001")
def isolation_from_baseline(graph: Graph, groups: Any) -> list[BaselineVerdict]:
    return _groups_from_baseline(graph, groups, "isolation")


@baseline_check("AWS-ISO-002")
def conversion_from_baseline(graph: Graph, groups: Any) -> list[BaselineVerdict]:
    return _groups_from_baseline(graph, groups, "conversion")
