"""VPC flow logs (all traffic, extended fields) into the audit store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from prewire.core import tokens
from stacks.aws.base import child
from stacks.tags import component_tags

# Version 5 fields: who talked to whom, through which interface and path, and how it was
# decided. Investigators need the instance, subnet and packet-level addresses behind NAT.
EXTENDED_FORMAT = " ".join(
    f"${{{name}}}"
    for name in (
        "version",
        "account-id",
        "interface-id",
        "srcaddr",
        "dstaddr",
        "srcport",
        "dstport",
        "protocol",
        "packets",
        "bytes",
        "start",
        "end",
        "action",
        "log-status",
        "vpc-id",
        "subnet-id",
        "instance-id",
        "tcp-flags",
        "type",
        "pkt-srcaddr",
        "pkt-dstaddr",
        "region",
        "az-id",
        "sublocation-type",
        "sublocation-id",
        "pkt-src-aws-service",
        "pkt-dst-aws-service",
        "flow-direction",
        "traffic-path",
    )
)

FLOW_LOG_PREFIX = "flow-logs/"


@dataclass
class FlowLogsArgs:
    vpc_ids: Sequence[str]
    audit_bucket_arn: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource] = field(default_factory=list)


class FlowLogs(pulumi.ComponentResource):
    flow_logs: dict[str, aws.ec2.FlowLog]

    def __init__(
        self, name: str, args: FlowLogsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_FLOW_LOGS, name, None, opts)
        destination = pulumi.Output.from_input(args.audit_bucket_arn).apply(
            lambda arn: f"{arn}/{FLOW_LOG_PREFIX}"
        )
        self.flow_logs = {
            vpc_id: aws.ec2.FlowLog(
                f"{name}-{vpc_id}",
                vpc_id=vpc_id,
                traffic_type="ALL",
                log_destination_type="s3",
                log_destination=destination,
                log_format=EXTENDED_FORMAT,
                max_aggregation_interval=60,
                tags=component_tags(name, {"Name": f"{name}-{vpc_id}"}),
                opts=child(self, depends_on=args.depends_on),
            )
            for vpc_id in args.vpc_ids
        }
        self.register_outputs({"flowLogIds": {v: f.id for v, f in self.flow_logs.items()}})
