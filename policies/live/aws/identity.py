"""The quarantine policy, break-glass roles and the responder role's scope, as deployed."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from policies.live.aws.common import as_resource, optional
from policies.live.aws.context import AwsLiveContext
from policies.live.engine import LiveVerdict, failed, live_check, passed, verdict
from policies.static.aws import identity as identity_rules
from policies.static.engine import as_list, statements


def policy_document(ctx: AwsLiveContext, arn: str) -> dict[str, Any]:
    iam = ctx.clients.iam
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    document = version["PolicyVersion"]["Document"]
    return json.loads(unquote(document)) if isinstance(document, str) else dict(document)


def role_documents(ctx: AwsLiveContext, role: str) -> list[dict[str, Any]]:
    iam = ctx.clients.iam
    documents = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        documents.append(
            json.loads(unquote(document)) if isinstance(document, str) else dict(document)
        )
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        documents.append(policy_document(ctx, attached["PolicyArn"]))
    return documents


def _role_name(arn: str | None) -> str | None:
    return arn.split("/")[-1] if arn else None


@live_check("AWS-IAM-001", account_wide=True)
def quarantine_policy(ctx: AwsLiveContext) -> list[LiveVerdict]:
    arn = ctx.prewired.quarantine_policy_arn
    if not arn:
        return [
            failed(None, "no quarantine policy published at /prewire/aws/quarantine-policy-arn")
        ]
    document = optional(policy_document, ctx=ctx, arn=arn)
    if document is None:
        return [failed(arn, "the published quarantine policy does not exist")]
    deny_all = any(
        s.get("Effect") == "Deny"
        and "*" in as_list(s.get("Action"))
        and "*" in as_list(s.get("Resource"))
        and not s.get("Condition")
        for s in statements(document)
    )
    # Said with the verdict: the deny-all alone leaves earlier sessions valid once detached.
    ok = (
        "deny-all; sessions issued before a quarantine are ended by the aws:TokenIssueTime deny "
        "quarantine-identity attaches with it"
    )
    return [verdict(arn, None if deny_all else "the quarantine policy is not a true deny-all", ok)]


def break_glass(ctx: AwsLiveContext) -> dict[str, Any] | None:
    name = _role_name(ctx.prewired.break_glass_role_arn) or ctx.once(
        "break-glass-name", lambda: _find_role(ctx, "break-glass")
    )
    if not name:
        return None
    found = optional(ctx.clients.iam.get_role, RoleName=name)
    return dict(found["Role"]) if found else None


def _find_role(ctx: AwsLiveContext, fragment: str) -> str | None:
    for page in ctx.clients.iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if fragment in role["RoleName"].lower():
                return str(role["RoleName"])
    return None


@live_check("AWS-IAM-002", account_wide=True)
def break_glass_mfa(ctx: AwsLiveContext) -> list[LiveVerdict]:
    role = break_glass(ctx)
    if role is None:
        return [failed(None, "no break-glass role")]
    trust = as_resource(
        "role",
        role["RoleName"],
        {
            "AssumeRolePolicy": json.dumps(
                role["AssumeRolePolicyDocument"]
                if isinstance(role["AssumeRolePolicyDocument"], dict)
                else json.loads(unquote(role["AssumeRolePolicyDocument"]))
            )
        },
    )
    return [
        verdict(
            role["Arn"], None if identity_rules.requires_mfa(trust) else "assumable without MFA"
        )
    ]


@live_check("AWS-IAM-003", account_wide=True)
def break_glass_session(ctx: AwsLiveContext) -> list[LiveVerdict]:
    role = break_glass(ctx)
    if role is None:
        return []
    seconds = int(role.get("MaxSessionDuration", 3600))
    return [verdict(role["Arn"], None if seconds <= 3600 else f"sessions last {seconds}s")]


@live_check("AWS-IAM-004")
def break_glass_alert(ctx: AwsLiveContext) -> list[LiveVerdict]:
    role = break_glass(ctx)
    if role is None:
        return []
    events = ctx.clients.client("events")
    for page in events.get_paginator("list_rules").paginate():
        for rule in page["Rules"]:
            pattern = rule.get("EventPattern") or ""
            if (
                "AssumeRole" in pattern
                and role["Arn"] in pattern
                and rule.get("State") == "ENABLED"
            ):
                targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
                if targets:
                    return [passed(role["Arn"], f"alerted by {rule['Name']}")]
    return [failed(role["Arn"], "no enabled rule with a target alerts on its assumption")]


def responder_role(ctx: AwsLiveContext) -> str | None:
    return _role_name(ctx.prewired.responder_role_arn) or ctx.once(
        "responder-name", lambda: _find_role(ctx, "responder")
    )


@live_check("AWS-IAM-005", account_wide=True)
def responder_scope(ctx: AwsLiveContext) -> list[LiveVerdict]:
    role = responder_role(ctx)
    if not role:
        return [failed(None, "no responder role")]
    problems = identity_rules.responder_scope_problems(role_documents(ctx, role))
    return [verdict(role, "; ".join(problems) or None)]
