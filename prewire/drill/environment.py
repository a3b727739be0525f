"""Preparing a target account for a drill: the kit's stack provisioned, a victim seeded.

The stack is rendered once with a placeholder VPC id; provisioning substitutes the victim's real
VPC, so one render serves every drill and test in a process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache

from prewire.drill.provision import Provisioned, provision
from prewire.drill.victim import Network, Victim, seed_network, seed_workload
from prewire.render import Graph, render
from responders.aws import parameters
from responders.aws.session import AwsClients

PLACEHOLDER_VPC = "vpc-0000000000000000a"
EMULATOR_ACCOUNT = "123456789012"


def drill_config(region: str) -> dict[str, str]:
    """Stack config for a drill: the kit's defaults, one VPC, a drill commander for break-glass."""
    return {
        "aws:region": region,
        "prewire:clouds": json.dumps(["aws"]),
        "prewire:retentionDays": "30",
        "prewire:alertEmail": "drill@example.com",
        "prewire:breakGlassPrincipals": json.dumps(
            [f"arn:aws:iam::{EMULATOR_ACCOUNT}:role/drill-commander"]
        ),
        "prewire:aws.vpcIds": json.dumps([PLACEHOLDER_VPC]),
    }


@lru_cache(maxsize=4)
def stack_graph(region: str) -> Graph:
    return render(None, drill_config(region), stack="drill")


@dataclass
class PreparedAccount:
    clients: AwsClients
    network: Network
    provisioned: Provisioned
    victim: Victim

    def parameter(self, name: str) -> str:
        return str(self.clients.ssm.get_parameter(Name=name)["Parameter"]["Value"])

    def responder(self) -> AwsClients:
        """Clients acting as the prewired responder role, as the deployed function does."""
        return self.clients.assume(self.parameter(parameters.RESPONDER_ROLE_ARN))

    @property
    def evidence_bucket(self) -> str:
        return self.parameter(parameters.EVIDENCE_BUCKET)

    @property
    def audit_bucket(self) -> str:
        return self.parameter(parameters.AUDIT_BUCKET)

    @property
    def isolation_group(self) -> str:
        return self.parameter(parameters.isolation_group(self.network.vpc_id))

    @property
    def conversion_group(self) -> str:
        return self.parameter(parameters.conversion_group(self.network.vpc_id))


def prepare(clients: AwsClients, drill_id: str, graph: Graph | None = None) -> PreparedAccount:
    network = seed_network(clients, drill_id)
    provisioned = provision(
        graph or stack_graph(clients.region), clients, known={PLACEHOLDER_VPC: network.vpc_id}
    )
    victim = seed_workload(clients, drill_id, network)
    return PreparedAccount(clients, network, provisioned, victim)
