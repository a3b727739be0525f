"""`prewire:azure:IsolationGroups`: one isolation network security group per location.

Deny all traffic in and out at priority 100, the highest a rule can have, which also overrides
Azure's default rules (virtual network and load balancer traffic) at 65000 and above. Nothing is
attached here: isolate-instance puts the group on a compromised VM's interfaces at incident
time, so containment is a swap, not a design task.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.network as network

from prewire.core import tokens
from responders.azure.discovery import Role
from stacks.azure.base import child, tags

TOP_PRIORITY = 100


def deny_all_rules() -> list[network.SecurityRuleArgsDict]:
    return [
        {
            "name": f"prewire-deny-all-{direction.lower()}",
            "priority": TOP_PRIORITY,
            "direction": direction,
            "access": "Deny",
            "protocol": "*",
            "source_address_prefix": "*",
            "source_port_range": "*",
            "destination_address_prefix": "*",
            "destination_port_range": "*",
            "description": "prewire isolation: no traffic in or out",
        }
        for direction in ("Inbound", "Outbound")
    ]


@dataclass
class IsolationGroupsArgs:
    resource_group_name: pulumi.Input[str]
    locations: Sequence[str]


class IsolationGroups(pulumi.ComponentResource):
    groups: dict[str, network.NetworkSecurityGroup]

    def __init__(
        self, name: str, args: IsolationGroupsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AZURE_ISOLATION, name, None, opts)
        self.groups = {
            location: network.NetworkSecurityGroup(
                f"{name}-{location}",
                network_security_group_name=f"prewire-isolation-{location}",
                resource_group_name=args.resource_group_name,
                location=location,
                security_rules=deny_all_rules(),
                tags=tags(tokens.AZURE_ISOLATION, Role.ISOLATION_NSG.value),
                opts=child(self),
            )
            for location in args.locations
        }
        self.register_outputs({"isolationGroups": {k: g.id for k, g in self.groups.items()}})
