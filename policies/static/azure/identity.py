"""The responder role and Function identity, and the break-glass alerting."""

from __future__ import annotations

from typing import Any

from policies.baseline import BaselineVerdict, baseline_check
from policies.findings import Status
from policies.static.azure.common import _tags
from policies.static.engine import Context, Verdict, as_list, graph_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource
from prewire.core.vocabulary import ROLE_TAG


def _role_actions(role: Resource) -> set[str]:
    return {
        str(action)
        for permission in as_list(role.get("permissions"))
        if isinstance(permission, dict)
        for action in [*as_list(permission.get("actions")), *as_list(permission.get("dataActions"))]
    }


GRANTS_ANY_ROLE = {
    "*",
    "Microsoft.Authorization/*",
    "Microsoft.Authorization/roleAssignments/write",
}


@graph_rule("AZURE-RESP-001", t.AZ_ROLE_DEFINITION)
def responder_role(graph: Graph, context: Context) -> list[Verdict]:
    from prewire.core.vocabulary import Cloud
    from responders.registry import required_permissions

    needed = {p.action for p in required_permissions(Cloud.AZURE, releases=False)}
    roles = [
        r
        for r in graph.of_type(t.AZ_ROLE_DEFINITION)
        if "responder" in str(r.get("roleName")).lower()
    ]
    if not roles:
        return [Verdict(None, "no responder role definition")]
    granted = set().union(*(_role_actions(r) for r in roles))
    missing = sorted(needed - granted)
    if missing:
        return [Verdict(roles[0], f"responder roles lack {', '.join(missing[:5])}")]
    granting = sorted(granted & GRANTS_ANY_ROLE)
    if granting:
        return [
            Verdict(
                roles[0],
                f"responder roles hold {', '.join(granting)}: the responder could grant itself "
                "any role (Owner included); role assignment writes belong to break glass",
            )
        ]
    return [Verdict(r, None, f"{r.get('roleName')}: generated from the responders") for r in roles]


def _user_identities(app: Resource) -> set[str]:
    assigned = (app.get("identity") or {}).get("userAssignedIdentities") or []
    # Rendered inputs list the ids; ARM returns a map keyed by id.
    return {str(i).lower() for i in (assigned if isinstance(assigned, list) else assigned.keys())}


@graph_rule("AZURE-RESP-002", t.AZ_WEB_APP, t.AZ_USER_IDENTITY)
def responder_function(graph: Graph, context: Context) -> list[Verdict]:
    responders = {
        str(i.id).lower()
        for i in graph.of_type(t.AZ_USER_IDENTITY)
        if _tags(i).get(ROLE_TAG) == "responder-identity"
    }
    apps = [
        a
        for a in graph.of_type(t.AZ_WEB_APP)
        if _tags(a).get(ROLE_TAG) == "responder-function"
        and "functionapp" in str(a.get("kind")).lower()
    ]
    if not apps:
        return [Verdict(None, "no responder Function App: Defender alerts are not acted on")]
    verdicts = []
    for app in apps:
        held = _user_identities(app)
        if responders and not held & responders:
            verdicts.append(Verdict(app, f"{app.name} does not run as the responder identity"))
        else:
            verdicts.append(Verdict(app, None, f"{app.name} consumes the alert hub"))
    return verdicts


@graph_rule("AZURE-IAM-001", t.AZ_ROLE_DEFINITION, t.AZ_ROLE_ASSIGNMENT, t.AZ_ACTIVITY_LOG_ALERT)
def break_glass(graph: Graph, context: Context) -> list[Verdict]:
    roles = {
        str(r.id)
        for r in graph.of_type(t.AZ_ROLE_DEFINITION)
        if "break" in str(r.get("roleName")).lower()
    }
    assigned = [
        a
        for a in graph.of_type(t.AZ_ROLE_ASSIGNMENT)
        if str(a.get("roleDefinitionId")) in roles and a.get("principalType") == "Group"
    ]
    alerts = graph.of_type(t.AZ_ACTIVITY_LOG_ALERT)
    if not assigned:
        return [Verdict(None, "no break-glass role assigned to a group")]
    if not alerts:
        return [Verdict(assigned[0], "break glass has no Activity Log alert")]
    return [Verdict(assigned[0], None, "break glass is a group, and its use alerts")]


@baseline_check("AZURE-NET-001")
def isolation_from_baseline(graph: Graph, groups: Any) -> list[BaselineVerdict]:
    verdicts = []
    for vm in graph.of_type(t.AZ_VIRTUAL_MACHINE):
        location = str(vm.get("location"))
        if groups is None:
            status = Status.BASELINE
            message = f"{vm.name}: the isolation group for {location} comes from the baseline stack"
        elif isinstance(groups, dict) and groups.get(location):
            status, message = Status.PASSED, f"{vm.name}: isolation group {groups[location]}"
        else:
            status = Status.FAILED
            message = (
                f"{vm.name}: the baseline stack has no isolation group in {location} "
                "(add it to prewire:azure.locations)"
            )
        verdicts.append(BaselineVerdict(vm, status, message))
    return verdicts
