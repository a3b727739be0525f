"""The responder custom role and break-glass alerting."""

from __future__ import annotations

from policies.static.engine import Context, Verdict, as_list, graph_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource


def roles_named(graph: Graph, word: str) -> list[Resource]:
    """The custom roles whose id or title carries `word` ("responder", "break")."""
    return [r for r in graph.of_type(t.GCP_CUSTOM_ROLE) if word in _words(r)]


def _words(role: Resource) -> str:
    return f"{role.get('roleId')} {role.get('title')}".lower()


def _role_name(role: Resource) -> str:
    return str(role.outputs.get("name") or role.get("roleId"))


def service_accounts_holding(graph: Graph, role: Resource) -> list[Resource]:
    """The project bindings of `role` to service accounts."""
    return [
        m
        for m in graph.of_type(t.GCP_PROJECT_IAM_MEMBER)
        if str(m.get("role")) == _role_name(role)
        and str(m.get("member")).startswith("serviceAccount:")
    ]


@graph_rule("GCP-RESP-001", t.GCP_CUSTOM_ROLE, t.GCP_PROJECT_IAM_MEMBER)
def responder_role(graph: Graph, context: Context) -> list[Verdict]:
    from responders.gcp.permissions import EVIDENCE, responder_permissions

    roles = roles_named(graph, "responder")
    if not roles:
        return [Verdict(None, "no responder custom role")]
    # The project-wide role, and (from prewire's stack) the evidence role bound on the bucket.
    role = next((r for r in roles if "evidence" not in _words(r)), roles[0])
    granted = {str(p) for r in roles for p in as_list(r.get("permissions"))}
    missing = sorted((set(responder_permissions()) | set(EVIDENCE)) - granted)
    if missing:
        return [Verdict(role, f"responder role lacks {', '.join(missing[:5])}")]
    if not service_accounts_holding(graph, role):
        return [Verdict(role, "the responder role is bound to no service account")]
    return [Verdict(role, None, "generated from the responders, bound to their service account")]


@graph_rule("GCP-IAM-001", t.GCP_CUSTOM_ROLE, t.GCP_PROJECT_IAM_MEMBER, t.GCP_ALERT_POLICY)
def break_glass(graph: Graph, context: Context) -> list[Verdict]:
    roles = roles_named(graph, "break")
    if not roles:
        return [Verdict(None, "no break-glass role")]
    role = _role_name(roles[0])
    bindings = [m for m in graph.of_type(t.GCP_PROJECT_IAM_MEMBER) if str(m.get("role")) == role]
    grouped = [m for m in bindings if str(m.get("member")).startswith("group:")]
    if not grouped:
        return [Verdict(roles[0], "the break-glass role is bound to no group")]
    unbounded = [
        m
        for m in grouped
        if "request.time <" not in str((m.get("condition") or {}).get("expression"))
    ]
    if unbounded:
        return [Verdict(unbounded[0], "break-glass binding without an expiry condition")]
    alerted = any(
        role.rsplit("/", 1)[-1] in str((c.get("conditionMatchedLog") or {}).get("filter"))
        for a in graph.of_type(t.GCP_ALERT_POLICY)
        for c in as_list(a.get("conditions"))
        if c
    )
    if not alerted:
        return [Verdict(roles[0], "no alert when the break-glass binding changes")]
    return [Verdict(roles[0], None, "time-bounded group binding with an alert")]
