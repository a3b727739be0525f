"""VPC flow logs, security groups and their rules."""

from __future__ import annotations

from typing import Any

from prewire.drill.aws.provision.run import Run, resource_id, tag_list
from prewire.render import Resource


def create_flow_log(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    created = run.client("ec2").create_flow_logs(
        ResourceIds=[i["vpcId"]],
        ResourceType="VPC",
        TrafficType=i["trafficType"],
        LogDestinationType=i["logDestinationType"],
        LogDestination=i["logDestination"],
        LogFormat=i["logFormat"],
        MaxAggregationInterval=int(i.get("maxAggregationInterval", 600)),
    )
    if created.get("Unsuccessful"):
        raise RuntimeError(created["Unsuccessful"][0]["Error"]["Message"])
    return {resource_id(r): created["FlowLogIds"][0]}


def _permissions(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    permissions = []
    for rule in rules:
        permission: dict[str, Any] = {
            "IpProtocol": str(rule["protocol"]),
            "FromPort": int(rule.get("fromPort", 0)),
            "ToPort": int(rule.get("toPort", 0)),
        }
        if rule.get("cidrBlocks"):
            permission["IpRanges"] = [{"CidrIp": c} for c in rule["cidrBlocks"]]
        if rule.get("ipv6CidrBlocks"):
            permission["Ipv6Ranges"] = [{"CidrIpv6": c} for c in rule["ipv6CidrBlocks"]]
        if rule.get("securityGroups"):
            permission["UserIdGroupPairs"] = [{"GroupId": g} for g in rule["securityGroups"]]
        permissions.append(permission)
    return permissions


def create_security_group(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    ec2 = run.client("ec2")
    group = ec2.create_security_group(
        GroupName=r.name,
        Description=i.get("description", r.name),
        VpcId=i["vpcId"],
        TagSpecifications=[{"ResourceType": "security-group", "Tags": tag_list(i)}],
    )["GroupId"]
    # Like the Terraform provider: the default allow-all egress rule is removed.
    ec2.revoke_security_group_egress(
        GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    if i.get("ingress"):
        ec2.authorize_security_group_ingress(
            GroupId=group, IpPermissions=_permissions(i["ingress"])
        )
    if i.get("egress"):
        ec2.authorize_security_group_egress(GroupId=group, IpPermissions=_permissions(i["egress"]))
    return {resource_id(r): group}


def create_ingress_rule(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("ec2").authorize_security_group_ingress(
        GroupId=i["securityGroupId"],
        IpPermissions=[
            {
                "IpProtocol": i["ipProtocol"],
                "FromPort": int(i["fromPort"]),
                "ToPort": int(i["toPort"]),
                "UserIdGroupPairs": [{"GroupId": i["referencedSecurityGroupId"]}],
            }
        ],
    )
    return {}
