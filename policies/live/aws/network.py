"""VPC flow logs and the isolation and conversion security groups, as deployed."""

from __future__ import annotations

from typing import Any

import botocore.exceptions

from policies.live.aws.common import as_resource, context_of
from policies.live.aws.context import AwsLiveContext
from policies.live.engine import LiveVerdict, live_check, verdict
from policies.static.aws import network as network_rules
from responders.aws.session import error_code


def vpcs(ctx: AwsLiveContext) -> list[str]:
    return ctx.once(
        "vpcs",
        lambda: [
            v["VpcId"]
            for page in ctx.clients.ec2.get_paginator("describe_vpcs").paginate()
            for v in page["Vpcs"]
        ],
    )


def vpcs_with_instances(ctx: AwsLiveContext) -> set[str]:
    def build() -> set[str]:
        pages = ctx.clients.ec2.get_paginator("describe_instances").paginate(
            Filters=[
                {
                    "Name": "instance-state-name",
                    "Values": ["pending", "running", "stopping", "stopped"],
                }
            ]
        )
        return {
            i["VpcId"]
            for page in pages
            for r in page["Reservations"]
            for i in r["Instances"]
            if i.get("VpcId")
        }

    return ctx.once("vpcs-with-instances", build)


def flow_logs(ctx: AwsLiveContext) -> list[dict[str, Any]]:
    return ctx.once(
        "flow-logs",
        lambda: [
            dict(f)
            for page in ctx.clients.ec2.get_paginator("describe_flow_logs").paginate()
            for f in page["FlowLogs"]
        ],
    )


@live_check("AWS-FLOW-001")
def vpc_flow_logs(ctx: AwsLiveContext) -> list[LiveVerdict]:
    covered = {f["ResourceId"] for f in flow_logs(ctx)}
    return [verdict(v, None if v in covered else "no flow log", "flow logs on") for v in vpcs(ctx)]


@live_check("AWS-FLOW-002")
def flow_log_fields(ctx: AwsLiveContext) -> list[LiveVerdict]:
    found = []
    for flow in flow_logs(ctx):
        problem = network_rules.flow_log_fields(
            as_resource("flow", flow["FlowLogId"], flow), context_of(ctx)
        )
        found.append(verdict(flow["FlowLogId"], problem if isinstance(problem, str) else None))
    return found


def _group(ctx: AwsLiveContext, group_id: str | None) -> dict[str, Any] | None:
    if not group_id:
        return None
    try:
        return dict(
            ctx.clients.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        )
    except botocore.exceptions.ClientError as error:
        if error_code(error).startswith("InvalidGroup"):
            return None
        raise


def _isolation_problem(group: dict[str, Any] | None) -> str | None:
    if group is None:
        return "missing"
    if group.get("IpPermissions"):
        return f"{group['GroupId']} allows inbound traffic"
    for rule in group.get("IpPermissionsEgress", []):
        if rule.get("IpRanges") or rule.get("Ipv6Ranges") or rule.get("PrefixListIds"):
            return f"{group['GroupId']} allows outbound traffic beyond SSM endpoints"
    return None


@live_check("AWS-ISO-001")
def isolation_groups(ctx: AwsLiveContext) -> list[LiveVerdict]:
    found = []
    for vpc in sorted(vpcs_with_instances(ctx)):
        group = _group(ctx, ctx.prewired.isolation_groups.get(vpc))
        problem = _isolation_problem(group)
        found.append(verdict(vpc, None if problem is None else f"isolation group {problem}"))
    return found


@live_check("AWS-ISO-002")
def conversion_groups(ctx: AwsLiveContext) -> list[LiveVerdict]:
    found = []
    for vpc in sorted(vpcs_with_instances(ctx)):
        group = _group(ctx, ctx.prewired.conversion_groups.get(vpc))
        everything = group is not None and any(
            r.get("IpProtocol") == "-1" and {"CidrIp": "0.0.0.0/0"} in r.get("IpRanges", [])
            for r in group.get("IpPermissions", [])
        )
        found.append(verdict(vpc, None if everything else "no usable conversion group"))
    return found
