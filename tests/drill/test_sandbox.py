"""`prewire drill --target aws`: canaries only, torn down, evidence kept under `drills/`.

The "sandbox account" is the embedded emulator with the kit's stack deployed into it through the
API (as `pulumi up` would have) and a bystander workload the drill must not touch. The responder
runs locally as the responder role (`--responder local`): the emulator cannot run functions.
The deployed-function path is tested with a stubbed Invoke reply, labelled as such below.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from typer.testing import CliRunner

from prewire.cli.main import app
from prewire.drill.aws import findings
from prewire.drill.aws.environment import (
    PreparedAccount,
    known_vpcs,
    stack_graph,
    stage_memory_tool,
)
from prewire.drill.aws.provision import provision
from prewire.drill.aws.sandbox import SandboxOptions, invoke_responder
from prewire.drill.aws.victim import AMI, DRILL_TAG, seed_network
from prewire.drill.options import DrillOptions
from prewire.drill.runner import DrillResult, run_drill
from prewire.drill.timeline import now
from prewire.emulator.aws import EmbeddedAws
from responders.aws import parameters
from responders.aws.handler import AUTO_CONTAIN_ENV, respond_to_event
from responders.aws.session import AwsClients


@dataclass
class Sandbox:
    aws: EmbeddedAws
    clients: AwsClients
    bystander_instance: str
    bystander_groups: list[str]

    def options(self, **overrides: Any) -> SandboxOptions:
        settings: dict[str, Any] = {
            "region": "us-east-1",
            "responder": "local",
            "canary_ami": AMI,
            "clients": self.clients,
        }
        return SandboxOptions(**{**settings, **overrides})


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmbeddedAws]:
    with EmbeddedAws() as aws:
        yield aws


def _bystanders(clients: AwsClients, subnet: str) -> tuple[str, list[str]]:
    """Somebody else's workload in the same account: the drill must leave it exactly as it is."""
    instance = clients.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=subnet)[
        "Instances"
    ][0]
    groups = [g["GroupId"] for g in instance["SecurityGroups"]]
    clients.iam.create_user(UserName="alice")
    clients.iam.create_access_key(UserName="alice")
    return instance["InstanceId"], groups


@pytest.fixture
def sandbox(emulator: EmbeddedAws) -> Sandbox:
    emulator.reset()
    clients = emulator.clients()
    network = seed_network(clients, "platform")
    stage_memory_tool(clients)
    provision(stack_graph("us-east-1"), clients, known=known_vpcs(clients, network))
    instance, groups = _bystanders(clients, network.subnet_ids[0])
    return Sandbox(emulator, clients, instance, groups)


def _canaries_left(clients: AwsClients) -> list[str]:
    tagged = clients.ec2.describe_instances(
        Filters=[
            {"Name": "tag-key", "Values": [DRILL_TAG]},
            {"Name": "instance-state-name", "Values": ["pending", "running", "stopped"]},
        ]
    )["Reservations"]
    users = [u["UserName"] for u in clients.iam.list_users()["Users"] if u["UserName"] != "alice"]
    roles = [r["RoleName"] for r in clients.iam.list_roles()["Roles"] if "victim" in r["RoleName"]]
    functions = [
        f["FunctionName"]
        for f in clients.lambda_.list_functions()["Functions"]
        if f["FunctionName"].startswith("victim-")
    ]
    return [i["InstanceId"] for r in tagged for i in r["Instances"]] + users + roles + functions


def _evidence_keys(clients: AwsClients, prefix: str) -> list[str]:
    bucket = clients.ssm.get_parameter(Name=parameters.EVIDENCE_BUCKET)["Parameter"]["Value"]
    listed = clients.s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    return [o["Key"] for o in listed.get("Contents", [])]


def test_sandbox_drill_uses_canaries_tears_them_down_and_keeps_evidence(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    result = run_drill(DrillOptions(report_dir=tmp_path, sandbox=sandbox.options()))

    assert result.ok, [c for c in result.report.checks if c.status == "failed"]
    assert {c.group for c in result.report.checks} == {
        "drill",
        "ec2-compromise",
        "access-key-leak",
        "lambda-backdoor",
    }  # no canary EKS cluster: that scenario stays on the emulator
    held = {(c.group, c.name) for c in result.report.checks if c.status == "held"}
    assert ("drill", "canaries removed") in held
    assert ("ec2-compromise", "the stack's finding rule routes the finding") in held
    assert ("ec2-compromise", "instance isolated on every interface") in held
    assert _canaries_left(sandbox.clients) == []
    # The evidence of the drill stays, under drills/ and not among real cases.
    assert any("/custody/" in k for k in _evidence_keys(sandbox.clients, "drills/"))
    assert _evidence_keys(sandbox.clients, "cases/") == []
    assert result.account is not None
    snapshots = sandbox.clients.ec2.describe_snapshots(
        OwnerIds=["self"],
        Filters=[{"Name": "volume-id", "Values": result.account.victim.volume_ids}],
    )["Snapshots"]
    assert snapshots, "the canary's snapshots are evidence and stay"
    case = result.runs["ec2-compromise"].case_id
    verified = cli.invoke(
        app,
        ["evidence", "verify", case, "--endpoint-url", sandbox.aws.url],
        env=_cli_env(sandbox.aws),
    )
    assert verified.exit_code == 0, verified.output  # found under drills/
    assert "intact" in verified.output


def test_sandbox_drill_leaves_everything_else_untouched(sandbox: Sandbox, tmp_path: Path) -> None:
    run_drill(DrillOptions(report_dir=tmp_path, sandbox=sandbox.options()))

    [reservation] = sandbox.clients.ec2.describe_instances(
        InstanceIds=[sandbox.bystander_instance]
    )["Reservations"]
    bystander = reservation["Instances"][0]
    assert bystander["State"]["Name"] == "running"
    assert [g["GroupId"] for g in bystander["SecurityGroups"]] == sandbox.bystander_groups
    keys = sandbox.clients.iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert [k["Status"] for k in keys] == ["Active"]
    attached = sandbox.clients.iam.list_attached_user_policies(UserName="alice")
    assert attached["AttachedPolicies"] == []


def _break_isolation(account: PreparedAccount) -> None:
    account.clients.ssm.delete_parameter(Name=parameters.isolation_group(account.network.vpc_id))


def test_canaries_are_torn_down_when_the_drill_fails(sandbox: Sandbox, tmp_path: Path) -> None:
    result = run_drill(
        DrillOptions(
            scenarios=["ec2-compromise"],
            report_dir=tmp_path,
            sandbox=sandbox.options(),
            sabotage=_break_isolation,
        )
    )

    assert not result.ok
    failed = {c.name for c in result.report.checks if c.status == "failed"}
    assert "instance isolated on every interface" in failed
    assert "canaries removed" not in failed
    assert _canaries_left(sandbox.clients) == []


def test_keep_leaves_the_canaries_for_inspection(sandbox: Sandbox, tmp_path: Path) -> None:
    result: DrillResult = run_drill(
        DrillOptions(
            scenarios=["access-key-leak"],
            report_dir=tmp_path,
            sandbox=sandbox.options(keep=True),
        )
    )

    assert result.ok
    assert result.account is not None
    left = _canaries_left(sandbox.clients)
    assert result.account.victim.instance_id in left
    assert result.account.victim.user_name in left
    assert any("--keep" in note for note in result.report.notes)


cli = CliRunner()


def _cli_env(aws: EmbeddedAws) -> dict[str, str | None]:
    return {**aws.environment(), "AWS_PROFILE": None}  # None unsets


def test_an_account_without_the_stack_is_an_input_error_that_changes_nothing(
    emulator: EmbeddedAws, tmp_path: Path
) -> None:
    emulator.reset()
    result = cli.invoke(
        app,
        ["drill", "--target", "aws", "--endpoint-url", emulator.url, "--report-dir", str(tmp_path)],
        env=_cli_env(emulator),
    )

    assert result.exit_code == 2, result.output
    assert "readiness stack is not deployed" in result.output
    assert _canaries_left(emulator.clients()) == []
    assert not list(tmp_path.iterdir())


def test_the_eks_scenario_is_refused_on_a_real_account(sandbox: Sandbox, tmp_path: Path) -> None:
    result = cli.invoke(
        app,
        [
            "drill",
            "eks-node-compromise",
            "--target",
            "aws",
            "--endpoint-url",
            sandbox.aws.url,
            "--report-dir",
            str(tmp_path),
        ],
        env=_cli_env(sandbox.aws),
    )

    assert result.exit_code == 2
    assert "cannot run on this target" in result.output
    assert _canaries_left(sandbox.clients) == []


def test_sandbox_options_are_refused_on_the_emulator() -> None:
    result = cli.invoke(app, ["drill", "--keep"])
    assert result.exit_code == 2
    assert "--target aws only" in result.output


# -- the deployed function (STUBBED Invoke reply: the emulator cannot run functions) ----------


def _stub_invoke(
    monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, reply: dict[str, Any]
) -> Stubber:
    client = sandbox.aws.client("lambda")  # a client of its own: only Invoke is stubbed
    stubber = Stubber(client)
    stubber.add_response("invoke", reply)
    stubber.activate()
    monkeypatch.setattr(AwsClients, "long_call_client", lambda self, service, read_timeout: client)
    return stubber


def _responder_function(sandbox: Sandbox) -> str:
    return str(
        sandbox.clients.ssm.get_parameter(Name=parameters.RESPONDER_FUNCTION)["Parameter"]["Value"]
    )


def test_a_deployed_function_reply_is_the_drills_response(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    function = _responder_function(sandbox)
    answer = {"handled": True, "case": "gd-x", "response": "playbook contain-instance", "ok": True}
    stubber = _stub_invoke(
        monkeypatch,
        sandbox,
        {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(answer).encode())},
    )

    assert invoke_responder(sandbox.clients, function, {"detail": {}}) == answer
    stubber.assert_no_pending_responses()


def test_a_failed_function_is_rebuilt_from_the_custody_log_it_wrote(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    clients = sandbox.clients
    clients.iam.create_user(UserName="ci-bot")
    key = clients.iam.create_access_key(UserName="ci-bot")["AccessKey"]["AccessKeyId"]
    clients.ssm.delete_parameter(Name=parameters.QUARANTINE_POLICY_ARN)  # the function will fail
    detail = findings.finding(
        "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom",
        7.5,
        findings.access_key_resource("ci-bot", key),
        "us-east-1",
        now(),
    )
    event = findings.delivered(detail, now())
    responder_role = clients.ssm.get_parameter(Name=parameters.RESPONDER_ROLE_ARN)
    # What the deployed function does with the event: the same handler, as the responder role.
    ran = respond_to_event(
        event, clients.assume(responder_role["Parameter"]["Value"]), auto_contain=True
    )
    assert not ran["ok"]
    function = _responder_function(sandbox)
    # As deployed with prewire:aws.autoContain true (the drill stack's default is false).
    clients.lambda_.update_function_configuration(
        FunctionName=function, Environment={"Variables": {AUTO_CONTAIN_ENV: "true"}}
    )
    _stub_invoke(
        monkeypatch,
        sandbox,
        {
            "StatusCode": 200,
            "FunctionError": "Unhandled",
            "Payload": io.BytesIO(b'{"errorMessage": "prewire response incomplete"}'),
        },
    )

    rebuilt = invoke_responder(clients, function, event)

    assert rebuilt["case"] == ran["case"]
    assert rebuilt["response"] == "playbook contain-credentials"
    assert rebuilt["error"] == "prewire response incomplete"
    statuses = {(o["action"], o["status"]) for o in rebuilt["outcomes"]}
    assert statuses == {(o["action"], o["status"]) for o in ran["outcomes"]}
    assert ("quarantine-identity", "failed") in statuses
