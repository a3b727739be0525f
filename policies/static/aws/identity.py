"""The quarantine policy, break-glass roles and the responder identity."""

from __future__ import annotations

import json
import re
from typing import Any

from policies.static.aws.common import _allowed_actions, _role_documents, _role_named
from policies.static.engine import Context, Verdict, as_document, as_list, graph_rule, statements
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource
from prewire.core.vocabulary import Cloud


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


ATTACH_ACTIONS = ("iam:AttachRolePolicy", "iam:AttachUserPolicy", "iam:AttachGroupPolicy")
SEND_COMMAND = "ssm:SendCommand"


def grants(statement: dict[str, Any], action: str) -> bool:
    """Whether an Allow statement names `action`, itself or through a wildcard pattern."""
    if statement.get("Effect") != "Allow":
        return False
    return any(
        re.fullmatch(re.escape(str(pattern)).replace("\\*", ".*"), action, re.IGNORECASE)
        for pattern in as_list(statement.get("Action"))
    )


def allows(documents: list[dict[str, Any]], action: str) -> bool:
    return any(grants(s, action) for d in documents for s in statements(d))


def responder_scope_problems(documents: list[dict[str, Any]]) -> list[str]:
    """What makes a responder role more than a responder, in its policy documents.

    One judgement for the static rule and the live check: wildcard actions, attaching managed
    policies without an `iam:PolicyARN` condition (AdministratorAccess, say), SSM SendCommand
    beyond prewire's own documents (AWS-RunShellScript is a root shell on every managed
    instance), and actions prewire grants on its own resources given on `*` instead.
    """
    found = [s for d in documents for s in statements(d)]
    problems = []
    wild = sorted(
        {a for d in documents for a in _allowed_actions(d) if a == "*" or a.endswith(":*")}
    )
    if wild:
        problems.append(f"wildcard permissions: {', '.join(wild)}")
    unbound = sorted(
        {
            action
            for s in found
            for action in ATTACH_ACTIONS
            if grants(s, action) and "iam:PolicyARN" not in json.dumps(s.get("Condition", {}))
        }
    )
    if unbound:
        problems.append(f"{', '.join(unbound)} without an iam:PolicyARN condition")
    documents_sent = [
        str(r)
        for s in found
        if grants(s, SEND_COMMAND)
        for r in as_list(s.get("Resource"))
        if ":document/" in str(r) or str(r) == "*"
    ]
    foreign = sorted(
        {r for r in documents_sent if not r.split("document/")[-1].startswith("prewire-")}
    )
    if foreign:
        problems.append(f"{SEND_COMMAND} on {', '.join(foreign)}, beyond prewire's documents")
    unscoped = sorted(
        action
        for action in scoped_actions()
        if any(grants(s, action) and "*" in as_list(s.get("Resource")) for s in found)
    )
    if unscoped:
        problems.append(
            f"{len(unscoped)} action(s) prewire scopes granted on every resource (`*`): "
            f"{', '.join(unscoped[:6])}{', ...' if len(unscoped) > 6 else ''}"
        )
    return problems


def scoped_actions() -> set[str]:
    """The actions the AWS responders declare on a scope narrower than `*` and never on `*`:
    a responder role granting one of them on every resource is wider than prewire's own."""
    from responders.registry import Scope, required_permissions

    declared = required_permissions(Cloud.AWS)
    anywhere = {p.action for p in declared if p.scope is Scope.ANY}
    return {p.action for p in declared if p.scope is not Scope.ANY} - anywhere


@graph_rule("AWS-IAM-005")
def responder_scope(graph: Graph, context: Context) -> list[Verdict]:
    verdicts = []
    for role in _role_named(graph, "responder"):
        problems = responder_scope_problems(_role_documents(graph, role))
        admin = any(
            str(a.get("policyArn")).endswith("/AdministratorAccess")
            and str(a.get("role")) in {str(role.get("name")), str(role.id)}
            for a in graph.of_type(t.IAM_ROLE_POLICY_ATTACHMENT)
        )
        if admin:
            problems.insert(0, "AdministratorAccess attached")
        verdicts.append(Verdict(role, "; ".join(problems) or None))
    return verdicts
