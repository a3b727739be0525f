"""Quarantine and release an identity: an instance's role, an IAM role or an IAM user.

Quarantine attaches the prewired deny-all policy, revokes every session issued before now (an
inline deny on `aws:TokenIssueTime`, as the IAM console's "revoke sessions" does) and deactivates
a user's access keys. An instance whose role other instances share gets a narrower deny: only
credentials issued to that instance (`ec2:SourceInstanceARN`) are refused, wherever they are
used, so the rest of the fleet keeps working.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from prewire.core.evidence.custody import utc_now
from prewire.core.vocabulary import Cloud
from responders.aws.case import AwsCase
from responders.aws.targets import describe_instance
from responders.registry import Scope, action, perms
from responders.runtime import InputError, Status, Step

REVOKE_POLICY = "prewire-revoke-older-sessions"
INSTANCE_DENY_PREFIX = "prewire-deny-instance-"


@dataclass(frozen=True)
class Identity:
    kind: str  # "role" or "user"
    name: str
    instance_arn: str | None = None
    shared_with: int = 0


def _deny(condition: dict[str, Any]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": condition}
            ],
        }
    )


def resolve_identity(case: AwsCase, target: str) -> Identity:
    if target.startswith("i-"):
        return _instance_identity(case, target)
    tail = target.split(":")[-1] if target.startswith("arn:") else target
    kind, _, path_name = tail.partition("/")
    return Identity(kind=kind, name=path_name.split("/")[-1])


def _instance_identity(case: AwsCase, instance_id: str) -> Identity:
    instance = describe_instance(case, instance_id)
    profile_arn = instance.get("IamInstanceProfile", {}).get("Arn")
    if not profile_arn:
        raise InputError(f"{instance_id} has no instance profile: no identity to quarantine")
    profile = case.clients.iam.get_instance_profile(InstanceProfileName=profile_arn.split("/")[-1])
    roles = profile["InstanceProfile"].get("Roles", [])
    if not roles:
        raise InputError(f"instance profile of {instance_id} has no role")
    others = {
        association["InstanceId"]
        for page in case.clients.ec2.get_paginator(
            "describe_iam_instance_profile_associations"
        ).paginate(Filters=[{"Name": "state", "Values": ["associating", "associated"]}])
        for association in page["IamInstanceProfileAssociations"]
        if association["IamInstanceProfile"]["Arn"] == profile_arn
    } - {instance_id}
    partition = profile_arn.split(":")[1]
    account = profile_arn.split(":")[4]
    arn = f"arn:{partition}:ec2:{case.clients.region}:{account}:instance/{instance_id}"
    return Identity("role", roles[0]["RoleName"], instance_arn=arn, shared_with=len(others))


def _attached(case: AwsCase, identity: Identity) -> set[str]:
    iam = case.clients.iam
    if identity.kind == "role":
        pages = iam.get_paginator("list_attached_role_policies").paginate(RoleName=identity.name)
    else:
        pages = iam.get_paginator("list_attached_user_policies").paginate(UserName=identity.name)
    return {p["PolicyArn"] for page in pages for p in page["AttachedPolicies"]}


def _inline(case: AwsCase, identity: Identity) -> set[str]:
    iam = case.clients.iam
    if identity.kind == "role":
        return set(iam.list_role_policies(RoleName=identity.name)["PolicyNames"])
    return set(iam.list_user_policies(UserName=identity.name)["PolicyNames"])


def _put_inline(case: AwsCase, identity: Identity, name: str, document: str, step: Step) -> None:
    iam = case.clients.iam
    if identity.kind == "role":
        step.change(
            "iam",
            iam,
            "put_role_policy",
            RoleName=identity.name,
            PolicyName=name,
            PolicyDocument=document,
        )
    else:
        step.change(
            "iam",
            iam,
            "put_user_policy",
            UserName=identity.name,
            PolicyName=name,
            PolicyDocument=document,
        )


@action(
    Cloud.AWS,
    "quarantine-identity",
    summary="Attach the deny-all policy, revoke older sessions, deactivate a user's keys",
    target_kind="identity",
    permissions=perms("ec2:DescribeInstances", "ec2:DescribeIamInstanceProfileAssociations")
    + perms("iam:GetInstanceProfile", scope=Scope.ACCOUNT_RESOURCES)
    + perms(
        "iam:ListAttachedRolePolicies",
        "iam:ListAttachedUserPolicies",
        "iam:ListRolePolicies",
        "iam:ListUserPolicies",
        # IAM has no condition on an inline policy's name or content: the account's roles and
        # users are the narrowest resource these accept (docs/responders.md).
        "iam:PutRolePolicy",
        "iam:PutUserPolicy",
        "iam:ListAccessKeys",
        "iam:UpdateAccessKey",
        scope=Scope.ACCOUNT_IDENTITIES,
    )
    + perms("iam:AttachRolePolicy", "iam:AttachUserPolicy", scope=Scope.QUARANTINE_ATTACHMENT),
    destructive=True,
)
def quarantine_identity(case: AwsCase, target: str, step: Step) -> Status:
    policy_arn = case.prewired.quarantine_policy_arn
    if not policy_arn:
        raise InputError("no quarantine policy: deploy the stack or pass --quarantine-policy-arn")
    identity = resolve_identity(case, target)
    iam = case.clients.iam
    state: dict[str, Any] = {"kind": identity.kind, "name": identity.name, "inline_policies": []}
    inline = _inline(case, identity)
    if identity.instance_arn:
        deny_name = INSTANCE_DENY_PREFIX + identity.instance_arn.split("/")[-1]
        if deny_name not in inline:
            _put_inline(
                case,
                identity,
                deny_name,
                _deny({"StringEquals": {"ec2:SourceInstanceARN": identity.instance_arn}}),
                step,
            )
            state["inline_policies"].append(deny_name)
    if identity.shared_with:
        step.warn(
            f"role {identity.name} is shared by {identity.shared_with} other instance(s): only "
            "this instance's credentials are denied; quarantine role/NAME to deny all of them"
        )
    else:
        if policy_arn not in _attached(case, identity):
            method = "attach_role_policy" if identity.kind == "role" else "attach_user_policy"
            key = "RoleName" if identity.kind == "role" else "UserName"
            step.change("iam", iam, method, **{key: identity.name, "PolicyArn": policy_arn})
            state["attached_policy"] = policy_arn
        if REVOKE_POLICY not in inline:
            _put_inline(
                case,
                identity,
                REVOKE_POLICY,
                _deny({"DateLessThan": {"aws:TokenIssueTime": utc_now()[:19] + "Z"}}),
                step,
            )
            state["inline_policies"].append(REVOKE_POLICY)
    if identity.kind == "user":
        keys = iam.list_access_keys(UserName=identity.name)["AccessKeyMetadata"]
        active = [k["AccessKeyId"] for k in keys if k["Status"] == "Active"]
        for key_id in active:
            step.change(
                "iam",
                iam,
                "update_access_key",
                UserName=identity.name,
                AccessKeyId=key_id,
                Status="Inactive",
            )
        if active:
            state["deactivated_keys"] = active
    changed = bool(
        state.get("attached_policy") or state["inline_policies"] or state.get("deactivated_keys")
    )
    step.state.update(state)
    if changed:
        step.note(f"quarantined {identity.kind} {identity.name}")
        step.state["contained"] = True
        return Status.CHANGED
    step.note(f"{identity.kind} {identity.name} already quarantined")
    return Status.UNCHANGED


@action(
    Cloud.AWS,
    "release-identity",
    summary="Undo a quarantine from what the case recorded: detach, delete our denies, keys back "
    "(sessions issued before the quarantine stay revoked)",
    target_kind="identity",
    permissions=perms("ec2:DescribeInstances", "ec2:DescribeIamInstanceProfileAssociations")
    + perms("iam:GetInstanceProfile", scope=Scope.ACCOUNT_RESOURCES)
    + perms(
        "iam:ListAttachedRolePolicies",
        "iam:ListAttachedUserPolicies",
        "iam:ListRolePolicies",
        "iam:ListUserPolicies",
        "iam:DeleteRolePolicy",
        "iam:DeleteUserPolicy",
        "iam:ListAccessKeys",
        "iam:UpdateAccessKey",
        scope=Scope.ACCOUNT_IDENTITIES,
    )
    + perms("iam:DetachRolePolicy", "iam:DetachUserPolicy", scope=Scope.QUARANTINE_ATTACHMENT),
    destructive=True,
    releases=True,
)
def release_identity(case: AwsCase, target: str, step: Step) -> Status:
    recorded = [
        e.state for e in case.release_history("release-identity", target, "quarantine-identity")
    ]
    if not recorded:
        raise InputError(f"case {case.case_id} has no recorded quarantine of {target}")
    identity = resolve_identity(case, target)
    iam = case.clients.iam
    kind_key = "RoleName" if identity.kind == "role" else "UserName"
    attached = _attached(case, identity)
    inline = _inline(case, identity)
    keys = (
        {
            k["AccessKeyId"]: k["Status"]
            for k in iam.list_access_keys(UserName=identity.name)["AccessKeyMetadata"]
        }
        if identity.kind == "user"
        else {}
    )
    changed = False
    for state in recorded:
        policy = state.get("attached_policy")
        if policy and policy in attached:
            method = "detach_role_policy" if identity.kind == "role" else "detach_user_policy"
            step.change("iam", iam, method, **{kind_key: identity.name, "PolicyArn": policy})
            attached.discard(policy)
            changed = True
        for name in state.get("inline_policies", []):
            # The deny-all only blocks calls while attached; the aws:TokenIssueTime deny is what
            # ends the sessions issued before the quarantine (an attacker's among them), so it
            # stays: it refuses nothing issued after the quarantine.
            if name in inline and name != REVOKE_POLICY:
                method = "delete_role_policy" if identity.kind == "role" else "delete_user_policy"
                step.change("iam", iam, method, **{kind_key: identity.name, "PolicyName": name})
                inline.discard(name)
                changed = True
        for key_id in state.get("deactivated_keys", []):
            if keys.get(key_id) == "Inactive":
                step.change(
                    "iam",
                    iam,
                    "update_access_key",
                    UserName=identity.name,
                    AccessKeyId=key_id,
                    Status="Active",
                )
                keys[key_id] = "Active"
                changed = True
    kept = f"; {REVOKE_POLICY} kept" if REVOKE_POLICY in inline else ""
    step.note(f"released {identity.kind} {identity.name}{kept}" if changed else "already released")
    return Status.CHANGED if changed else Status.UNCHANGED
