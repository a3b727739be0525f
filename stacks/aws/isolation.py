"""Pre-created isolation groups, so containment at incident time is a swap, not a design task.

Changing an instance's security groups does not cut connections the groups already track. AWS's
incident response guidance is to move the interfaces first to a group whose rules allow all
traffic in both directions from anywhere (flows through it are untracked), then to a group with
no rules at all: untracked flows are evaluated per packet and stop at once. The conversion group
is attached only for the seconds between the two swaps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from prewire.core import tokens
from prewire.core.vocabulary import ROLE_TAG
from stacks.aws.base import child
from stacks.tags import component_tags

HTTPS = 443
ISOLATION_ROLE = "isolation"
CONVERSION_ROLE = "conversion"

ALL_TRAFFIC: list[aws.ec2.SecurityGroupIngressArgsDict] = [
    {
        "protocol": "-1",
        "from_port": 0,
        "to_port": 0,
        "cidr_blocks": ["0.0.0.0/0"],
        "ipv6_cidr_blocks": ["::/0"],
        "description": "all traffic: flows through this group are untracked",
    },
]


@dataclass
class IsolationGroupsArgs:
    vpc_ids: Sequence[str]
    # Optional: per VPC, the security group of its SSM interface endpoints. The isolation group
    # then keeps HTTPS to those endpoints so memory capture still works after isolation.
    ssm_endpoint_groups: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class VpcGroups:
    isolation: aws.ec2.SecurityGroup
    conversion: aws.ec2.SecurityGroup


class IsolationGroups(pulumi.ComponentResource):
    groups: dict[str, VpcGroups]

    def __init__(
        self, name: str, args: IsolationGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AWS_ISOLATION, name, None, opts)
        self.groups = {
            vpc_id: self._for_vpc(name, vpc_id, args.ssm_endpoint_groups.get(vpc_id))
            for vpc_id in args.vpc_ids
        }
        self.register_outputs(
            {
                "isolationGroups": {v: g.isolation.id for v, g in self.groups.items()},
                "conversionGroups": {v: g.conversion.id for v, g in self.groups.items()},
            }
        )

    def _for_vpc(self, name: str, vpc_id: str, endpoint_group: str | None) -> VpcGroups:
        prefix = f"{name}-{vpc_id}"
        egress: list[aws.ec2.SecurityGroupEgressArgsDict] = []
        if endpoint_group:
            egress = [
                {
                    "protocol": "tcp",
                    "from_port": HTTPS,
                    "to_port": HTTPS,
                    "security_groups": [endpoint_group],
                    "description": "SSM endpoints only: memory capture after isolation",
                }
            ]
        isolation = aws.ec2.SecurityGroup(
            f"{prefix}-isolation",
            vpc_id=vpc_id,
            description="prewire isolation: no traffic in or out",
            ingress=[],
            egress=egress,
            revoke_rules_on_delete=True,
            tags=component_tags(name, {"Name": f"{prefix}-isolation", ROLE_TAG: ISOLATION_ROLE}),
            opts=child(self),
        )
        conversion = aws.ec2.SecurityGroup(
            f"{prefix}-conversion",
            vpc_id=vpc_id,
            description="prewire conversion: untracks connections for seconds before isolation",
            ingress=ALL_TRAFFIC,
            egress=ALL_TRAFFIC,
            revoke_rules_on_delete=True,
            tags=component_tags(name, {"Name": f"{prefix}-conversion", ROLE_TAG: CONVERSION_ROLE}),
            opts=child(self),
        )
        if endpoint_group:
            aws.vpc.SecurityGroupIngressRule(
                f"{prefix}-endpoint-from-isolated",
                security_group_id=endpoint_group,
                referenced_security_group_id=isolation.id,
                ip_protocol="tcp",
                from_port=HTTPS,
                to_port=HTTPS,
                description="prewire: isolated instances reach SSM for memory capture",
                opts=child(self),
            )
        return VpcGroups(isolation=isolation, conversion=conversion)
