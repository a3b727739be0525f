"""IAM roles, their policies and attachments, and managed policies."""

from __future__ import annotations

from typing import Any

from prewire.drill.aws.provision.run import Run, tag_list
from prewire.render import Resource


def create_role(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    name = i.get("name") or r.outputs["name"]
    role = run.client("iam").create_role(
        RoleName=name,
        AssumeRolePolicyDocument=i["assumeRolePolicy"],
        Description=i.get("description", ""),
        MaxSessionDuration=int(i.get("maxSessionDuration", 3600)),
        Tags=tag_list(i),
    )["Role"]
    return {r.outputs["arn"]: role["Arn"]}


def create_role_policy(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("iam").put_role_policy(
        RoleName=i["role"], PolicyName=r.name, PolicyDocument=i["policy"]
    )
    return {}


def create_attachment(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("iam").attach_role_policy(RoleName=i["role"], PolicyArn=i["policyArn"])
    return {}


def create_policy(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    name = i.get("name") or r.outputs["name"]
    policy = run.client("iam").create_policy(
        PolicyName=name,
        PolicyDocument=i["policy"],
        Description=i.get("description", ""),
        Tags=tag_list(i),
    )
    return {r.outputs["arn"]: policy["Policy"]["Arn"]}
