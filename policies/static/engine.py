"""Static rules and their evaluation.

Two kinds, both plain functions:

- a resource rule looks at one resource of the given type tokens and returns None (passed), a
  problem (failed), or `NOT_APPLICABLE`;
- a graph rule looks at the whole graph (presence: "no multi-region trail at all", relations: "a
  VPC without flow logs") and returns verdicts.

The same rule objects back `prewire check`, the CrossGuard pack and the checkov custom checks.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final

from policies import baseline
from policies.catalogue import get, load_catalogue
from policies.findings import Finding, Status
from policies.overrides import CheckSettings
from policies.scope import CheckScope
from prewire.core import clouds
from prewire.core.graph import Graph, Resource
from prewire.core.registry import Registry
from prewire.core.vocabulary import Cloud

DEFAULT_RETENTION_DAYS = 365


class _NotApplicable:
    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


NOT_APPLICABLE: Final = _NotApplicable()


@dataclass(frozen=True)
class Context:
    retention_days: int = DEFAULT_RETENTION_DAYS
    workload: bool = False
    """Judging a workload program: rules look at what it declares, not at what it only uses
    (a network its instances join belongs to the baseline)."""

    @staticmethod
    def from_graph(graph: Graph, retention_days: int | None = None) -> Context:
        if retention_days is not None:
            return Context(retention_days=retention_days)
        value = graph.config.get("prewire:retentionDays")
        try:
            return Context(retention_days=int(value)) if value else Context()
        except ValueError:
            return Context()


@dataclass(frozen=True)
class Verdict:
    resource: Resource | None
    problem: str | None
    note: str = ""


ResourceCheck = Callable[[Resource, Context], "str | _NotApplicable | None"]
GraphCheck = Callable[[Graph, Context], list[Verdict]]


@dataclass(frozen=True)
class StaticRule:
    control_id: str
    tokens: tuple[str, ...]
    """The types a resource rule judges; for a graph rule, the types it reads (where declared),
    so a live audit that could not read one of them reports `unknown` instead of deciding."""
    resource_check: ResourceCheck | None = None
    graph_check: GraphCheck | None = None

    @property
    def kind(self) -> str:
        return "resource" if self.resource_check else "graph"


RULES: Registry[str, StaticRule] = Registry("static rule", key=lambda r: r.control_id)


def resource_rule(control_id: str, *tokens: str) -> Callable[[ResourceCheck], ResourceCheck]:
    def register(check: ResourceCheck) -> ResourceCheck:
        RULES.add(StaticRule(control_id, tokens, resource_check=check))
        return check

    return register


def graph_rule(control_id: str, *reads: str) -> Callable[[GraphCheck], GraphCheck]:
    def register(check: GraphCheck) -> GraphCheck:
        RULES.add(StaticRule(control_id, reads, graph_check=check))
        return check

    return register


def load_rules() -> None:
    load_catalogue()
    clouds.load("static")


def rules_of(cloud: Cloud) -> list[StaticRule]:
    load_rules()
    return [r for r in RULES if get(r.control_id).cloud is cloud]


def run_resource_rule(rule: StaticRule, resource: Resource, context: Context) -> Finding | None:
    assert rule.resource_check is not None
    result = rule.resource_check(resource, context)
    if isinstance(result, _NotApplicable):
        return None
    control = get(rule.control_id)
    status, message = (Status.PASSED, "ok") if result is None else (Status.FAILED, result)
    return Finding(
        control, status, resource.label, f"{resource.name}: {message}", location=resource.location
    )


def run_graph_rule(rule: StaticRule, graph: Graph, context: Context) -> list[Finding]:
    assert rule.graph_check is not None
    control = get(rule.control_id)
    findings = []
    for verdict in rule.graph_check(graph, context):
        label = verdict.resource.label if verdict.resource else None
        location = verdict.resource.location if verdict.resource else {}
        status, message = (
            (Status.PASSED, verdict.note or "ok")
            if verdict.problem is None
            else (Status.FAILED, verdict.problem)
        )
        findings.append(Finding(control, status, label, message, location=location))
    return findings


PACKAGES = {"aws": Cloud.AWS, "azure-native": Cloud.AZURE, "azure": Cloud.AZURE, "gcp": Cloud.GCP}


def clouds_in(graph: Graph) -> set[Cloud]:
    """The clouds a program provisions (its resources' providers, prewire's components)."""
    found: set[Cloud] = set()
    for resource in graph:
        package, _, rest = resource.type.partition(":")
        if package == "prewire":
            package = rest.split(":", 1)[0].replace("azure", "azure-native")
        cloud = PACKAGES.get(package)
        if cloud is not None:
            found.add(cloud)
    return found


def evaluate(
    graph: Graph,
    clouds: Sequence[Cloud] | None = None,
    *,
    scope: CheckScope = CheckScope.ALL,
    baseline_outputs: Mapping[str, Any] | None = None,
    settings: CheckSettings | None = None,
) -> list[Finding]:
    """Every rule of the given clouds (default: those the program provisions) on the graph.

    A program with no Azure resource is not told it lacks an Azure Activity Log export. Under
    the workload scope, account controls are judged by `policies.baseline` instead of their rule.
    """
    load_rules()
    clouds = list(clouds) if clouds is not None else sorted(clouds_in(graph))
    settings = settings or CheckSettings()
    general = replace(
        Context.from_graph(graph, settings.retention_days), workload=scope is CheckScope.WORKLOAD
    )
    findings: list[Finding] = []
    for rule in RULES:
        control = get(rule.control_id)
        if control.cloud not in clouds or settings.disabled(control.id):
            continue
        retention = settings.of(control.id).retention_days
        context = replace(general, retention_days=retention) if retention else general
        if not scope.judges(control):
            if scope is CheckScope.WORKLOAD:
                findings.extend(baseline.judge(control, graph, baseline_outputs))
            continue
        if rule.resource_check:
            for resource in graph.of_type(*rule.tokens):
                finding = run_resource_rule(rule, resource, context)
                if finding:
                    findings.append(finding)
        else:
            findings.extend(run_graph_rule(rule, graph, context))
    return sorted(findings, key=lambda f: (f.control.id, f.resource or ""))


def as_document(value: Any) -> dict[str, Any]:
    """A policy document given as JSON text or as a dict."""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return value if isinstance(value, dict) else {}


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = document.get("Statement", [])
    return [found] if isinstance(found, dict) else [s for s in found if isinstance(s, dict)]


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
