"""AKS audit logs and command invoke, and Function App logs."""

from __future__ import annotations

from policies.static.azure.common import AKS_AUDIT, _categories, _targets
from policies.static.engine import Context, Verdict, graph_rule, resource_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource


def _diagnosed(
    graph: Graph, kind: str, token: str, wanted: frozenset[str], what: str
) -> list[Verdict]:
    settings = graph.of_type(t.AZ_DIAGNOSTIC_SETTING)
    verdicts = []
    declared = graph.of_type(token)
    for resource in declared:
        found = [s for s in settings if _targets(s, resource)]
        missing = wanted - set().union(*(_categories(s) for s in found)) if found else wanted
        verdicts.append(
            Verdict(resource, f"{resource.name}: no {', '.join(sorted(missing))} diagnostic logs")
            if missing
            else Verdict(resource, None, f"{resource.name}: {what} kept")
        )
    known = {str(r.id) for r in declared}
    for setting in settings:
        target = str(setting.get("resourceUri"))
        if f"/{kind}/" not in target.lower() or target in known:
            continue
        missing = wanted - _categories(setting)
        verdicts.append(
            Verdict(setting, f"{target}: no {', '.join(sorted(missing))}")
            if missing
            else Verdict(setting, None, f"{target}: {what} kept")
        )
    return verdicts


@graph_rule("AZURE-AKS-001", t.AZ_MANAGED_CLUSTER, t.AZ_DIAGNOSTIC_SETTING)
def aks_audit_logs(graph: Graph, context: Context) -> list[Verdict]:
    return _diagnosed(graph, "managedclusters", t.AZ_MANAGED_CLUSTER, AKS_AUDIT, "audit logs")


@resource_rule("AZURE-AKS-002", t.AZ_MANAGED_CLUSTER)
def run_command_allowed(cluster: Resource, context: Context) -> str | None:
    profile = cluster.get("apiServerAccessProfile") or {}
    return "command invoke is disabled" if profile.get("disableRunCommand") is True else None


@graph_rule("AZURE-FUNC-001", t.AZ_WEB_APP, t.AZ_DIAGNOSTIC_SETTING)
def function_logs(graph: Graph, context: Context) -> list[Verdict]:
    apps = graph.of_type(t.AZ_WEB_APP)
    functions = [a for a in apps if "functionapp" in str(a.get("kind", "")).lower()]
    trimmed = Graph(
        resources=[r for r in graph.resources if r.type != t.AZ_WEB_APP or r in functions],
        config=graph.config,
    )
    return _diagnosed(
        trimmed, "sites", t.AZ_WEB_APP, frozenset({"FunctionAppLogs"}), "FunctionAppLogs"
    )
