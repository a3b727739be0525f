"""The embedded emulator as a drill target: moto's server in-process on 127.0.0.1.

The drill provisions the kit's stack through the API, seeds the whole victim workload, writes
the attack's log objects itself (the emulator delivers no CloudTrail or flow logs) and, since
the emulator cannot run functions, routes the stack's finding rule to a queue and hands what
arrives there to the same handler the deployed function runs.
"""

from __future__ import annotations

import shlex
from datetime import datetime
from typing import Any, Literal

from prewire.core.vocabulary import Cloud
from prewire.drill.aws import detection, inventory
from prewire.drill.aws.environment import (
    PreparedAccount,
    known_vpcs,
    stack_graph,
    stage_memory_tool,
)
from prewire.drill.aws.provision import provision
from prewire.drill.aws.pulumi_up import pulumi_up
from prewire.drill.aws.target import AwsTarget
from prewire.drill.aws.victim import seed_network, seed_workload
from prewire.drill.scenarios import Scenario
from prewire.drill.target import (
    SANDBOX_CASE,
    Detection,
    Guide,
    Progress,
    simulate_attack,
    try_commands,
)
from prewire.drill.timeline import PROVISION_STEP, SEED_STEP, Timeline
from prewire.emulator.aws import EmbeddedAws
from prewire.emulator.aws.cloud_model import CloudModel
from prewire.report.model import Check
from responders.aws.ec2_snapshots import SNAPSHOT_TAG_CASE
from responders.aws.handler import respond_to_event
from responders.aws.session import AwsClients

Provisioner = Literal["api", "pulumi"]
"""api: create the rendered stack's resources through the cloud API; pulumi: `pulumi up`."""

NOTES = (
    "Target: the embedded AWS emulator (moto's server on 127.0.0.1); no cloud account was used.",
    "The emulator does not deliver CloudTrail or flow logs; the drill wrote realistic log objects "
    "for the attack window where CloudTrail and flow-log delivery would have.",
    "The emulator cannot run functions; the stack's finding rule routed the finding to a queue "
    "the drill added, and the drill delivered it to the same handler the deployed function runs.",
)


class EmulatorTarget(AwsTarget):
    def __init__(
        self,
        region: str,
        provision_with: Provisioner = "api",
        *,
        cloud_model: CloudModel | None = None,
    ) -> None:
        self.region = region
        self.provision_with = provision_with
        self.notes = list(NOTES)
        self.cloud_model = cloud_model
        self._aws = EmbeddedAws(region=region, cloud_model=cloud_model).__enter__()
        self._route: detection.Route | None = None
        self._responder: AwsClients | None = None

    def close(self) -> None:
        self._aws.__exit__(None, None, None)

    def finish(self, account: Any | None, timeline: Timeline) -> list[Check]:
        if self.cloud_model is not None:
            self.notes.append(self._cloud_model_note(self.cloud_model))
        return super().finish(account, timeline)

    def _cloud_model_note(self, model: CloudModel) -> str:
        """What the realistic cloud model did to the drill: calls, throttles, waits."""
        pacing = self._aws.pacer.summary() if self._aws.pacer else ""
        return (
            "The embedded AWS ran behind the realistic cloud model (AWS's per-API rate limits, "
            f"latency with a {model.latency.median_ms:.0f} ms median): "
            f"{sum(model.calls.values())} calls, {sum(model.throttled.values())} throttled"
            + (f"; {pacing}" if pacing else "")
            + "."
        )

    def prepare(self, drill_id: str, timeline: Timeline, progress: Progress) -> PreparedAccount:
        clients = self._aws.clients()
        progress("provisioning the kit's AWS stack into the embedded emulator")
        with timeline.step(PROVISION_STEP) as step:
            network = seed_network(clients, drill_id)
            stage_memory_tool(clients)
            vpcs = known_vpcs(clients, network)
            if self.provision_with == "pulumi":
                provisioned = pulumi_up(
                    self.region,
                    self._aws.url,
                    list(vpcs.values()),
                    stack_graph(self.region),
                    progress,
                )
            else:
                provisioned = provision(stack_graph(self.region), clients, known=vpcs)
            step.detail = f"{len(provisioned.created)} resources created; not created: " + (
                ", ".join(f"{k} ({v})" for k, v in provisioned.not_created.items()) or "none"
            )
        progress("seeding the victim workload")
        with timeline.step(SEED_STEP) as step:
            account = PreparedAccount(
                clients, network, provisioned, seed_workload(clients, drill_id, network)
            )
            step.detail = (
                f"instance {account.victim.instance_id}, function {account.victim.function_name}"
            )
        self._route = detection.add_queue_target(clients, drill_id)
        return account

    def case_snapshots(self, account: PreparedAccount, case: str) -> tuple[int, int]:
        pages = account.clients.ec2.get_paginator("describe_snapshots").paginate(
            OwnerIds=["self"], Filters=[{"Name": f"tag:{SNAPSHOT_TAG_CASE}", "Values": [case]}]
        )
        taken = sum(len(page["Snapshots"]) for page in pages)
        return taken, len(account.victim.volume_ids)

    def guide(self, account: PreparedAccount) -> Guide:
        endpoint = ["--endpoint-url", self._aws.url]
        case_commands = [
            shlex.join(["prewire", "evidence", "verify", SANDBOX_CASE, *endpoint]),
            shlex.join(["prewire", "report", SANDBOX_CASE, *endpoint]),
        ]
        return Guide(
            cloud=Cloud.AWS,
            endpoints={"AWS (all services)": self._aws.url},
            environment={
                k: v for k, v in self._aws.environment().items() if k != "AWS_ENDPOINT_URL"
            },
            commands=try_commands(
                Cloud.AWS,
                account.victim.instance_id,
                options=endpoint,
                after_containment=case_commands,
            ),
            notes=[
                "The victim's EKS and ECS clusters are seeded as a real account often has them "
                "(control-plane logs and ECS Exec logging off): the audit fails AWS-EKS-001 and "
                "AWS-ECS-001 for them. Capture-memory reports unsupported: the emulator runs no "
                "SSM agent, so contain-instance exits 1."
            ],
        )

    def attack(self, scenario: Scenario, account: PreparedAccount, start: datetime) -> bool:
        return simulate_attack(scenario, account, start)

    def detect(self, account: PreparedAccount, detail: dict[str, Any]) -> Detection:
        assert self._route is not None, "prepare() routes the finding rule"
        detection.inject(account.clients, detail)
        event = detection.receive(account.clients, self._route, detail["id"])
        return Detection(event, "held", f"routed by {self._route.rule_name} to the drill queue")

    def respond(
        self, account: PreparedAccount, event: dict[str, Any], scenario: Scenario
    ) -> dict[str, Any]:
        if self._responder is None:
            self._responder = account.responder()
        return respond_to_event(event, self._responder, auto_contain=scenario.auto_contain)

    def inventory(self, account: PreparedAccount) -> inventory.Inventory:
        return inventory.take(account.clients, account.evidence_bucket)
