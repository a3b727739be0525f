"""Preparing a target account for a drill: the kit's stack provisioned, a victim seeded.

The stack is rendered once with a placeholder VPC id; provisioning substitutes the victim's real
VPC, so one render serves every drill and test in a process.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache

from prewire.drill.aws.provision import provision
from prewire.drill.aws.victim import Network, Victim, seed_network, seed_workload
from prewire.drill.provisioning import Provisioned
from prewire.render import Graph, render
from responders.aws import parameters
from responders.aws.session import AwsClients

PLACEHOLDER_VPC = "vpc-0000000000000000a"
# Accounts come with a default VPC; a ready account covers it too.
PLACEHOLDER_DEFAULT_VPC = "vpc-0000000000000000d"
EMULATOR_ACCOUNT = "123456789012"


# A stand-in for the memory tool, staged by the drill so the pre-flight and the responders find
# a tool with its pinned hash. It never runs: the emulator has no SSM agent.
TOOLS_BUCKET = "prewire-drill-tools"
TOOL_KEY = "avml/avml-drill-stand-in"
TOOL_BYTES = b"#!/bin/sh\necho 'prewire drill stand-in for the memory tool'\n"
TOOL_SHA256 = hashlib.sha256(TOOL_BYTES).hexdigest()


def stage_memory_tool(clients: AwsClients) -> None:
    s3 = clients.s3
    params: dict[str, object] = {"Bucket": TOOLS_BUCKET}
    if clients.region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": clients.region}
    s3.create_bucket(**params)  # type: ignore[arg-type]
    s3.put_object(Bucket=TOOLS_BUCKET, Key=TOOL_KEY, Body=TOOL_BYTES, ChecksumAlgorithm="SHA256")


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
        "prewire:aws.vpcIds": json.dumps([PLACEHOLDER_VPC, PLACEHOLDER_DEFAULT_VPC]),
        "prewire:aws.memoryToolS3Uri": f"s3://{TOOLS_BUCKET}/{TOOL_KEY}",
        "prewire:aws.memoryToolSha256": TOOL_SHA256,
    }


@lru_cache(maxsize=4)
def stack_graph(region: str) -> Graph:
    return render(None, drill_config(region), stack="drill")


@dataclass
class PreparedAccount:
    clients: AwsClients
    network: Network
    provisioned: Provisioned | None  # None when the stack was deployed beforehand (sandbox)
    victim: Victim
    account_id: str = EMULATOR_ACCOUNT

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


def known_vpcs(clients: AwsClients, network: Network) -> dict[str, str]:
    """Real ids for the VPC placeholders the drill stack was rendered with."""
    found = clients.ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])
    default = found["Vpcs"][0]["VpcId"] if found["Vpcs"] else network.vpc_id
    return {PLACEHOLDER_VPC: network.vpc_id, PLACEHOLDER_DEFAULT_VPC: default}


def prepare(clients: AwsClients, drill_id: str, graph: Graph | None = None) -> PreparedAccount:
    network = seed_network(clients, drill_id)
    stage_memory_tool(clients)
    provisioned = provision(
        graph or stack_graph(clients.region), clients, known=known_vpcs(clients, network)
    )
    victim = seed_workload(clients, drill_id, network)
    return PreparedAccount(clients, network, provisioned, victim)
