"""A real (sandbox) AWS account as a drill target: canaries only, always torn down.

The readiness stack must already be deployed there (`pulumi up`): the drill reads the prewired
resources through `/prewire/aws/...` and provisions nothing. It creates canaries tagged
`prewire:drill=<id>`, never touches anything else, and removes the canaries afterwards even when
a step failed (unless `--keep`). Evidence of the drill stays in the evidence store under
`drills/`: drill findings carry GuardDuty's sample marker, which sends their cases there.

AWS refuses `aws.*` sources on PutEvents, so a real finding cannot be injected on the bus. The
drill asks EventBridge whether the stack's rule matches the finding (TestEventPattern) and then
invokes the deployed responder function with the event the rule would deliver (or, with
`--responder local`, runs the same handler here as the responder role).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

import botocore.exceptions

from prewire.core.evidence.layout import DRILLS_ROOT
from prewire.drill.aws import canaries, detection, findings, inventory
from prewire.drill.aws.environment import PreparedAccount
from prewire.drill.aws.target import AwsTarget
from prewire.drill.scenarios import Scenario
from prewire.drill.target import Detection, Progress
from prewire.drill.timeline import Timeline, now
from prewire.report.model import Check
from responders.aws.discovery import Prewired, discover
from responders.aws.findings import case_id_for, evidence_root, plan_response
from responders.aws.handler import AUTO_CONTAIN_ENV, respond_to_event
from responders.aws.opening import caller
from responders.aws.session import AwsClients, error_code, is_api_gap
from responders.aws.store import S3EvidenceStore
from responders.runtime import InputError

Responder = Literal["function", "local"]
NOT_ON_SANDBOX = {
    "eks-node-compromise": "a canary EKS cluster takes about 15 minutes to create and costs "
    "money; this scenario runs on the emulator",
    "ecs-task-compromise": "the sandbox canaries include no ECS service (a Fargate task pulls an "
    "image and runs until stopped); this scenario runs on the emulator",
}


@dataclass(frozen=True)
class SandboxOptions:
    region: str
    profile: str | None = None
    endpoint_url: str | None = None
    keep: bool = False
    canary_ami: str | None = None
    responder: Responder = "function"
    clients: AwsClients | None = None
    """Prepared clients for the account (an emulator's, in tests); else built from the above."""


class SandboxTarget(AwsTarget):
    def __init__(self, options: SandboxOptions) -> None:
        self.options = options
        self.clients = options.clients or AwsClients(
            region=options.region, profile=options.profile, endpoint_url=options.endpoint_url
        )
        identity = caller(self.clients)
        self.account_id = identity.split(":")[4]
        self.prewired = Prewired()
        self.canaries: canaries.Canaries | None = None
        self.notes = [
            f"Target: AWS account {self.account_id} in {options.region} as {identity}; the "
            "readiness stack was already deployed there (the drill provisions nothing).",
            "No log objects were written: the account's own CloudTrail recorded the canaries' "
            "real activity.",
            "AWS refuses aws.* sources on PutEvents: the stack's finding rule was tested against "
            "each finding with TestEventPattern, then "
            + (
                "the deployed responder function was invoked with the event the rule delivers."
                if options.responder == "function"
                else "the responder handler ran here as the prewired responder role."
            ),
        ]

    def unsupported(self, scenario: Scenario) -> str | None:
        return super().unsupported(scenario) or NOT_ON_SANDBOX.get(scenario.name)

    def prepare(self, drill_id: str, timeline: Timeline, progress: Progress) -> PreparedAccount:
        # Everything that can be wrong with the input is found before anything is created.
        self.prewired = discover(self.clients)
        if not self.prewired.evidence_bucket:
            raise InputError(
                f"the readiness stack is not deployed in {self.options.region} "
                f"({self.prewired.discovery_error or 'nothing under /prewire/aws'}): "
                "run `pulumi up` first"
            )
        if self.options.responder == "function" and not self.prewired.responder_function:
            raise InputError(
                "no responder function published at /prewire/aws/responder-function: deploy the "
                "stack's response wiring or pass --responder local"
            )
        network = canaries.canary_network(self.clients, self.prewired)
        ami = canaries.canary_ami(self.clients, self.options.canary_ami)
        progress(f"creating canaries tagged prewire:drill={drill_id} in {network.vpc_id}")
        self.canaries = canaries.Canaries(drill_id)
        with timeline.step("create the canaries") as step:
            canaries.create(self.clients, self.canaries, network, ami)
            step.detail = self.canaries.describe()
        self.notes.append(
            f"Canaries (tag prewire:drill={drill_id}): {self.canaries.describe()}. Evidence of "
            f"the drill: s3://{self.prewired.evidence_bucket}/{DRILLS_ROOT}/."
        )
        return PreparedAccount(
            self.clients,
            network,
            None,
            self.canaries.victim(network),
            account_id=self.account_id,
        )

    def detect(self, account: PreparedAccount, detail: dict[str, Any]) -> Detection:
        event = findings.delivered(detail, now())
        try:
            rule, matched = detection.rule_matches(self.clients, event)
        except botocore.exceptions.ClientError as error:
            if not is_api_gap(error):
                raise
            return Detection(
                event,
                "not-verifiable",
                f"the endpoint has no TestEventPattern ({error_code(error)}); "
                "the event was handed on unrouted",
            )
        if not matched:
            raise detection.RoutingError(
                f"the stack's rule {rule} does not match the finding: the responder would not run"
            )
        return Detection(event, "held", f"{rule} matches the finding (TestEventPattern)")

    def respond(
        self, account: PreparedAccount, event: dict[str, Any], scenario: Scenario
    ) -> dict[str, Any]:
        if self.options.responder == "local":
            return respond_to_event(event, account.responder(), auto_contain=scenario.auto_contain)
        assert self.prewired.responder_function is not None  # checked in prepare()
        return invoke_responder(self.clients, self.prewired.responder_function, event)

    def inventory(self, account: PreparedAccount) -> inventory.Inventory:
        made = self.canaries or canaries.Canaries("")
        scope = inventory.Scope(
            instances=(made.instance_id,),
            volumes=tuple(made.volume_ids),
            functions=(made.function_name,),
            users=(made.user_name,),
            roles=(made.role_name,),
            evidence_prefix=f"{DRILLS_ROOT}/",
        )
        return inventory.take(account.clients, account.evidence_bucket, scope)

    def finish(self, account: PreparedAccount | None, timeline: Timeline) -> list[Check]:
        if self.canaries is None:
            return []
        if self.options.keep:
            self.notes.append(
                f"Canaries kept (--keep): remove everything tagged "
                f"prewire:drill={self.canaries.drill} when done."
            )
            return []
        with timeline.step("tear down the canaries") as step:
            problems = canaries.teardown(self.clients, self.canaries)
            step.status = "failed" if problems else "ok"
            step.detail = "; ".join(problems) or "every canary removed; evidence kept"
        return [
            Check(
                "drill",
                "canaries removed",
                "failed" if problems else "held",
                "; ".join(problems),
                f"Remove what is left by hand: it is tagged prewire:drill={self.canaries.drill}.",
            )
        ]


def invoke_responder(clients: AwsClients, function: str, event: dict[str, Any]) -> dict[str, Any]:
    """Run the deployed responder function on `event` and return its result.

    The function raises when a response is incomplete (so EventBridge retries it); then its
    result is rebuilt from the case's custody log, which every step wrote as it went.
    """
    configuration = clients.lambda_.get_function_configuration(FunctionName=function)
    client = clients.long_call_client("lambda", read_timeout=int(configuration["Timeout"]) + 30)
    reply = client.invoke(
        FunctionName=function,
        InvocationType="RequestResponse",
        Payload=json.dumps(event).encode(),
    )
    payload = json.loads(reply["Payload"].read() or b"null")
    if not reply.get("FunctionError"):
        return dict(payload)
    variables = configuration.get("Environment", {}).get("Variables", {})
    auto_contain = variables.get(AUTO_CONTAIN_ENV, "false").lower() == "true"
    return result_from_custody(clients, event, auto_contain, str(payload.get("errorMessage")))


def result_from_custody(
    clients: AwsClients, event: dict[str, Any], auto_contain: bool, error: str
) -> dict[str, Any]:
    detail = event["detail"]
    plan = plan_response(detail, auto_contain=auto_contain)
    case = case_id_for(detail)
    bucket = discover(clients).evidence_bucket or ""
    entries = S3EvidenceStore(clients, bucket, evidence_root(detail)).read_all_entries(case)
    latest = {(e.action, e.target): e for e in entries}  # a resumed step's last word counts
    return {
        "handled": plan is not None,
        "case": case,
        "response": f"{plan.kind} {plan.name}" if plan else "none",
        "targets": list(plan.targets) if plan else [],
        "outcomes": [
            {
                "action": e.action,
                "target": e.target,
                "status": e.status,
                "message": e.message,
                "artifacts": [a.__dict__ for a in e.artifacts],
            }
            for e in latest.values()
        ],
        "ok": False,
        "error": error,
    }
