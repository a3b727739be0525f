"""What the responders need at run time: their permissions, SSM reach, the memory tool, the
forensic key, and the function wired to findings."""

from __future__ import annotations

import base64
import json

import botocore.exceptions

from policies.live.aws.common import optional
from policies.live.aws.context import AwsLiveContext
from policies.live.aws.identity import break_glass, responder_role, role_documents
from policies.live.engine import LiveVerdict, failed, live_check, passed, unknown, verdict
from policies.static.aws import identity as identity_rules
from policies.static.engine import statements
from prewire.core.vocabulary import Cloud
from responders.aws.session import is_api_gap
from responders.registry import release_permissions, required_permissions


@live_check("AWS-RESP-002", account_wide=True)
def responder_permissions(ctx: AwsLiveContext) -> list[LiveVerdict]:
    """Containment on the responder role; release on break-glass (and not on the responder, so a
    stolen responder credential cannot undo what it contained)."""
    role = responder_role(ctx)
    if not role:
        return [failed(None, "no responder role")]
    contain = sorted({p.action for p in required_permissions(Cloud.AWS, releases=False)})
    release = sorted({p.action for p in release_permissions(Cloud.AWS)})
    arn, allowed, method = _allowed(ctx, role, [*contain, *release])
    denied = [a for a in contain if a not in allowed]
    if denied:
        return [
            failed(
                arn,
                f"{len(denied)} declared action(s) not allowed by {method}: "
                f"{', '.join(denied[:8])}",
            )
        ]
    verdicts = [passed(arn, f"all {len(contain)} containment actions allowed by {method}")]
    releasing = [a for a in release if a in allowed and a not in contain]
    if releasing:
        verdicts = [
            failed(arn, f"the responder role can undo a containment: {', '.join(releasing)}")
        ]
    glass = break_glass(ctx)
    if glass:
        glass_arn, glass_allowed, glass_method = _allowed(ctx, glass["RoleName"], release)
        missing = [a for a in release if a not in glass_allowed]
        verdicts.append(
            verdict(
                glass_arn,
                f"release action(s) not allowed by {glass_method}: {', '.join(missing[:8])}"
                if missing
                else None,
                f"all {len(release)} release actions allowed by {glass_method}",
            )
        )
    return verdicts


def _allowed(ctx: AwsLiveContext, role: str, actions: list[str]) -> tuple[str, set[str], str]:
    """The role's ARN, which of `actions` it is allowed, and how that was found out."""
    arn = ctx.clients.iam.get_role(RoleName=role)["Role"]["Arn"]
    try:
        results = ctx.clients.iam.simulate_principal_policy(
            PolicySourceArn=arn, ActionNames=actions
        )["EvaluationResults"]
        allowed = {r["EvalActionName"] for r in results if r["EvalDecision"] == "allowed"}
        return arn, allowed, "IAM policy simulation"
    except botocore.exceptions.ClientError as error:
        if not is_api_gap(error):
            raise
    documents = role_documents(ctx, role)
    allowed = {a for a in actions if identity_rules.allows(documents, a)}
    return arn, allowed, "its attached and inline policies (policy simulation unavailable)"


@live_check("AWS-RESP-003")
def ssm_reachable(ctx: AwsLiveContext) -> list[LiveVerdict]:
    pages = ctx.clients.ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": ["running"]}]
    )
    instances = [
        i["InstanceId"] for page in pages for r in page["Reservations"] for i in r["Instances"]
    ]
    if not instances:
        return []
    online = {
        i["InstanceId"]
        for page in ctx.clients.ssm.get_paginator("describe_instance_information").paginate()
        for i in page["InstanceInformationList"]
        if i.get("PingStatus") == "Online"
    }
    return [verdict(i, None if i in online else "SSM agent not online") for i in instances]


@live_check("AWS-RESP-004", account_wide=True)
def memory_tool(ctx: AwsLiveContext) -> list[LiveVerdict]:
    uri, pinned = ctx.prewired.memory_tool_uri, ctx.prewired.memory_tool_sha256
    if not uri or not pinned:
        return [failed(None, "no memory tool published (/prewire/aws/memory-tool/*)")]
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    head = optional(ctx.clients.s3.head_object, Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    if head is None:
        return [failed(uri, "the staged memory tool does not exist")]

    stored = head.get("ChecksumSHA256")
    if stored is None:
        return [unknown(uri, "the tool was uploaded without a SHA-256 checksum; cannot compare")]
    actual = base64.b64decode(stored).hex()
    return [
        verdict(
            uri,
            None
            if actual == pinned
            else f"tool SHA-256 {actual[:16]}… differs from the pinned hash",
        )
    ]


@live_check("AWS-RESP-005")
def forensic_key(ctx: AwsLiveContext) -> list[LiveVerdict]:
    arn = ctx.prewired.kms_key_arn
    if not arn:
        return [failed(None, "no forensic key published at /prewire/aws/kms-key-arn")]
    kms = ctx.clients.client("kms")
    metadata = kms.describe_key(KeyId=arn)["KeyMetadata"]
    if metadata.get("KeyState") != "Enabled":
        return [failed(arn, f"key is {metadata.get('KeyState')}")]
    policy = json.loads(kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"])
    delegates = any(
        s.get("Effect") == "Allow"
        and str((s.get("Principal") or {}).get("AWS", "")).endswith(":root")
        for s in statements(policy)
    )
    return [verdict(arn, None if delegates else "key policy does not let IAM grant its use")]


@live_check("AWS-RESP-001")
def responder_wired(ctx: AwsLiveContext) -> list[LiveVerdict]:
    events = ctx.clients.client("events")
    for page in events.get_paginator("list_rules").paginate():
        for rule in page["Rules"]:
            routes = '"aws.guardduty"' in (rule.get("EventPattern") or "")
            if (
                routes
                and rule.get("State") == "ENABLED"
                and events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
            ):
                return [passed(rule["Arn"], "GuardDuty findings reach a responder")]
    return [failed(None, "no enabled rule routes GuardDuty findings to a target")]
