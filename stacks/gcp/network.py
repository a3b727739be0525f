"""`prewire:gcp:FlowLogs` and `prewire:gcp:QuarantineFirewall`, per configured network.

Flow logs: a VPC Flow Logs configuration (Network Management API) on each network, which covers
every subnet's VMs without changing the subnets themselves, with all metadata and every flow.

Quarantine: two firewall rules per network at priority 0 (the highest), denying all ingress and
all egress for instances carrying the quarantine network tag. `isolate-instance` only adds the
tag; firewall rules of a VPC are stateful, so it also removes external access configs to break
connections that already exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from prewire.core import tokens
from stacks.gcp.base import QUARANTINE_TAG, child, labels, network_name

QUARANTINE_PRIORITY = 0
EVERYWHERE = "0.0.0.0/0"


@dataclass
class NetworkArgs:
    project: str
    networks: Sequence[str]


class FlowLogs(pulumi.ComponentResource):
    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.GCP_FLOW_LOGS, name, None, opts)
        for network in args.networks:
            gcp.networkmanagement.VpcFlowLogsConfig(
                f"{name}-{network_name(network)}",
                project=args.project,
                location="global",
                vpc_flow_logs_config_id=f"prewire-{network_name(network)}",
                network=network,
                state="ENABLED",
                aggregation_interval="INTERVAL_5_SEC",
                flow_sampling=1.0,
                metadata="INCLUDE_ALL_METADATA",
                description="prewire: every flow of the network, with all metadata",
                labels=labels(tokens.GCP_FLOW_LOGS),
                opts=child(self),
            )
        self.register_outputs({})


class QuarantineFirewall(pulumi.ComponentResource):
    rules: dict[str, list[gcp.compute.Firewall]]

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.GCP_QUARANTINE, name, None, opts)
        self.rules = {}
        for network in args.networks:
            short = network_name(network)
            self.rules[network] = [
                gcp.compute.Firewall(
                    f"{name}-{short}-{direction.lower()}",
                    name=f"prewire-quarantine-{direction.lower()}-{short}"[:63],
                    project=args.project,
                    network=network,
                    direction=direction,
                    priority=QUARANTINE_PRIORITY,
                    denies=[{"protocol": "all"}],
                    target_tags=[QUARANTINE_TAG],
                    source_ranges=[EVERYWHERE] if direction == "INGRESS" else None,
                    destination_ranges=[EVERYWHERE] if direction == "EGRESS" else None,
                    log_config={"metadata": "INCLUDE_ALL_METADATA"},
                    description="prewire: instances tagged prewire-quarantine reach nothing",
                    opts=child(self),
                )
                for direction in ("INGRESS", "EGRESS")
            ]
        self.register_outputs({})
