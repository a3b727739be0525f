"""The quarantine policy, break-glass roles and the responder identity."""

from __future__ import annotations

from policies.static.aws.common import _allowed_actions, _role_documents, _role_named
from policies.static.engine import (
    Context,
    Verdict,
    as_document,
    as_list,
    graph_rule,
    statements,
)
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource


@graph_rule("AWS-IAM-001")
def quarantine_policy(graph: Graph, context: Context) -> list[Verdict]:
    for policy in graph.of_type(t.IAM_POLICY):
        for statement in statements(as_document(policy.get("policy"))):
            if (
                statement.get("Effect") == "Deny"
                and "*" in as_list(statement.get("Action"))
                and "*" in as_list(statement.get("Resource"))
                and not statement.get("Condition")
            ):
                return [Verdict(policy, None, "deny-all quarantine policy present")]
    return [Verdict(None, "no managed policy that denies everything (quarantine)")]


def _break_glass(graph: Graph) -> list[Resource]:
    return _role_named(graph, "break-glass", "breakglass", "break_glass")


def requires_mfa(role: Resource) -> bool:
    allows = [
        s
        for s in statements(as_document(role.get("assumeRolePolicy")))
        if s.get("Effect") == "Allow"
    ]
    return bool(allows) and all(
        str(
            ((s.get("Condition") or {}).get("Bool") or {}).get("aws:MultiFactorAuthPresent")
        ).lower()
        == "true"
        for s in allows
    )


@graph_rule("AWS-IAM-002")
def break_glass_mfa(graph: Graph, context: Context) -> list[Verdict]:
    roles = _break_glass(graph)
    if not roles:
        return [Verdict(None, "no break-glass role (a role named or tagged break-glass)")]
    return [Verdict(r, None if requires_mfa(r) else "can be assumed without MFA") for r in roles]


@graph_rule("AWS-IAM-003")
def break_glass_sessions(graph: Graph, context: Context) -> list[Verdict]:
    return [
        Verdict(
            r,
            None
            if int(r.get("maxSessionDuration") or 3600) <= 3600
            else f"sessions last {r.get('maxSessionDuration')}s",
        )
        for r in _break_glass(graph)
    ]


@graph_rule("AWS-IAM-004")
def break_glass_alert(graph: Graph, context: Context) -> list[Verdict]:
    verdicts = []
    targeted = {str(target.get("rule")) for target in graph.of_type(t.EVENT_TARGET)}
    for role in _break_glass(graph):
        identifiers = {str(v) for v in (role.outputs.get("arn"), role.get("name")) if v}
        alerting = [
            rule
            for rule in graph.of_type(t.EVENT_RULE)
            if "AssumeRole" in str(rule.get("eventPattern"))
            and any(i in str(rule.get("eventPattern")) for i in identifiers)
            and {str(rule.outputs.get("name")), str(rule.get("name")), str(rule.id)} & targeted
        ]
        verdicts.append(Verdict(role, None if alerting else "no alert on its assumption"))
    return verdicts


@graph_rule("AWS-IAM-005")
def responder_scope(graph: Graph, context: Context) -> list[Verdict]:
    verdicts = []
    for role in _role_named(graph, "responder"):
        wild = [
            a
            for d in _role_documents(graph, role)
            for a in _allowed_actions(d)
            if a == "*" or a.endswith(":*")
        ]
        admin = [
            a
            for a in graph.of_type(t.IAM_ROLE_POLICY_ATTACHMENT)
            if str(a.get("policyArn")).endswith("/AdministratorAccess")
            and str(a.get("role")) in {str(role.get("name")), str(role.id)}
        ]
        problem = None
        if wild or admin:
            problem = (
                f"wildcard permissions: {', '.join(sorted(set(wild)) or ['AdministratorAccess'])}"
            )
        verdicts.append(Verdict(role, problem))
    return verdicts
