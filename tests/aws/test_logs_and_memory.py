"""collect-logs and capture-memory: emulator paths, and the paths moto lacks on Stubbers/fakes."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests
from botocore.stub import ANY, Stubber

from prewire.drill.aws.attack_logs import (
    C2_IP,
    instance_attack,
    write_flow_logs,
    write_trail_objects,
)
from prewire.drill.aws.environment import EMULATOR_ACCOUNT, TOOL_SHA256, PreparedAccount
from responders.aws import parameters
from responders.aws.memory_documents import CAPTURE, DOCUMENTS
from responders.aws.ssm_memory import IMAGE_LINE
from responders.runtime import InputError, Status
from tests.aws.conftest import act, open_test_case

WINDOW_START = datetime.now(UTC) - timedelta(hours=2)


def seed_attack(account: PreparedAccount) -> list[str]:
    role_arn = account.clients.iam.get_role(RoleName=account.victim.role_name)["Role"]["Arn"]
    events = instance_attack(account.victim.instance_id, role_arn, EMULATOR_ACCOUNT, "us-east-1")
    keys = write_trail_objects(
        account.clients, account.audit_bucket, EMULATOR_ACCOUNT, events, WINDOW_START
    )
    interfaces = [
        e["NetworkInterfaceId"]
        for e in account.clients.ec2.describe_instances(InstanceIds=[account.victim.instance_id])[
            "Reservations"
        ][0]["Instances"][0]["NetworkInterfaces"]
    ]
    write_flow_logs(
        account.clients,
        account.audit_bucket,
        "flow-logs/",
        EMULATOR_ACCOUNT,
        interfaces,
        WINDOW_START,
    )
    return keys


def bundle(account: PreparedAccount, key: str) -> dict[str, bytes]:
    data = account.clients.s3.get_object(Bucket=account.evidence_bucket, Key=key)["Body"].read()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


def test_collect_logs_bundles_trail_objects_and_flow_logs(account: PreparedAccount) -> None:
    trail_keys = seed_attack(account)
    case = open_test_case(account, window_start=WINDOW_START - timedelta(minutes=5))
    [outcome] = act(case, "collect-logs", account.victim.instance_id)
    assert outcome.status is Status.COLLECTED, outcome.message
    assert any("LookupEvents is unavailable" in w for w in outcome.warnings)  # moto gap, stated
    [artifact] = outcome.artifacts
    members = bundle(account, artifact.key)
    assert {f"cloudtrail/{k}" for k in trail_keys} <= set(members)
    records = [
        r
        for k in trail_keys
        for r in json.loads(gzip.decompress(members[f"cloudtrail/{k}"]))["Records"]
    ]
    assert {r["eventName"] for r in records} >= {"CreateUser", "CreateAccessKey"}
    flow = b"".join(v for k, v in members.items() if k.startswith("flow-logs/"))
    assert C2_IP.encode() in flow
    manifest = json.loads(members["manifest.json"])
    assert set(manifest["members"]) == set(members) - {"manifest.json"}
    assert "5 trail object(s)" in outcome.message


def test_lookup_events_are_paginated_into_the_bundle(account: PreparedAccount) -> None:
    """moto's LookupEvents fails (500): this path runs on a botocore Stubber with AWS's shapes."""
    case = open_test_case(account, window_start=WINDOW_START)
    trail = case.clients.cloudtrail
    event = {
        "EventId": "e1",
        "EventName": "CreateUser",
        "EventTime": WINDOW_START,
        "Username": account.victim.instance_id,
        "CloudTrailEvent": "{}",
    }
    with Stubber(trail) as stubber:
        params = {"LookupAttributes": ANY, "StartTime": ANY, "EndTime": ANY}
        stubber.add_response("lookup_events", {"Events": [event], "NextToken": "t"}, params)
        stubber.add_response(
            "lookup_events", {"Events": [{**event, "EventId": "e2"}]}, {**params, "NextToken": "t"}
        )
        stubber.add_response("lookup_events", {"Events": [event]}, params)
        [outcome] = act(case, "collect-logs", account.victim.instance_id)
        stubber.assert_no_pending_responses()
    assert outcome.status is Status.COLLECTED
    lines = bundle(account, outcome.artifacts[0].key)["lookup-events.jsonl"].decode().splitlines()
    assert sorted(json.loads(line)["EventId"] for line in lines) == ["e1", "e2"]  # deduplicated


def test_memory_capture_on_the_emulator_reports_unsupported_and_leaves_the_instance(
    account: PreparedAccount,
) -> None:
    # the drill environment stages a memory tool with its pinned hash
    assert account.parameter(parameters.MEMORY_TOOL_SHA256)
    [outcome] = act(open_test_case(account), "capture-memory", account.victim.instance_id)
    assert outcome.status is Status.UNSUPPORTED
    assert "instance was left untouched" in outcome.message
    assert not [c for c in outcome.calls if c.operation == "SendCommand"]


class FakeHost:
    """Stands in for the SSM agent on the instance (moto never runs commands): it executes the
    two scripts' effects. The capture yields a fixed image; the upload PUTs it through the
    pre-signed URL to the emulator's S3, which checks the checksum header like S3 does."""

    def __init__(self, image: bytes) -> None:
        self.image = image
        self.outputs: list[str] = []

    def run(self, commands: list[str]) -> str:
        script = "\n".join(commands)
        if "--compress" in script:
            import hashlib

            digest = hashlib.sha256(self.image).hexdigest()
            path = "/var/tmp/prewire.Ab12Cd/memory.lime"
            return f"PREWIRE-IMAGE path={path} sha256={digest} size={len(self.image)}\n"
        url = (
            script.split("--upload-file '/var/tmp/prewire.Ab12Cd/memory.lime' ")[1]
            .split("\n")[0]
            .strip("'")
        )
        checksum = script.split("x-amz-checksum-sha256: ")[1].split("'")[0]
        headers = {"x-amz-checksum-sha256": checksum, "x-amz-sdk-checksum-algorithm": "SHA256"}
        response = requests.put(url, data=self.image, headers=headers, timeout=30)
        assert response.ok, response.text
        return "PREWIRE-UPLOADED\n"


def test_memory_capture_checks_the_host_hash_against_the_stored_object(
    account: PreparedAccount,
) -> None:
    """SSM invocation is stubbed (labelled: moto lacks DescribeInstanceInformation and never runs
    commands); the upload and checksum verification are real against the emulator's S3."""
    case = open_test_case(account)
    host = FakeHost(b"LiME memory image " * 1000)
    ssm = case.clients.ssm
    instance = account.victim.instance_id
    sent: list[dict[str, Any]] = []

    def on_send(params: dict[str, Any], **_: Any) -> None:
        # What the agent would run: the sent document's script with SSM's substitution.
        sent.append(params)
        document = {d.name: d for d in DOCUMENTS}[params["DocumentName"]]
        host.outputs.append(host.run(document.commands_for(params["Parameters"])))

    ssm.meta.events.register("before-parameter-build.ssm.SendCommand", on_send)
    with Stubber(ssm) as stubber:
        stubber.add_response(
            "describe_instance_information",
            {
                "InstanceInformationList": [
                    {"InstanceId": instance, "PingStatus": "Online", "PlatformType": "Linux"}
                ]
            },
        )
        for command_id in (
            "11111111-2222-3333-4444-555555555555",
            "66666666-7777-8888-9999-000000000000",
        ):
            stubber.add_response("send_command", {"Command": {"CommandId": command_id}})
            stubber.add_response("get_command_invocation", {"Status": "InProgress"})
            stubber.add_response(
                "get_command_invocation", {"Status": "Success", "StandardOutputContent": ""}
            )
        original = ssm.get_command_invocation

        def invocation(**params: Any) -> Any:
            result = original(**params)
            if result["Status"] == "Success":
                result["StandardOutputContent"] = host.outputs[-1]
            return result

        ssm.get_command_invocation = invocation  # type: ignore[method-assign]
        [outcome] = act(case, "capture-memory", instance)
    assert outcome.status is Status.COLLECTED, outcome.message
    [artifact] = outcome.artifacts
    stored = account.clients.s3.get_object(Bucket=account.evidence_bucket, Key=artifact.key)[
        "Body"
    ].read()
    assert stored == host.image
    assert IMAGE_LINE.search(host.outputs[0])
    assert [p["DocumentName"] for p in sent] == [
        "prewire-CaptureMemory",
        "prewire-UploadMemoryImage",
    ]
    assert sent[0]["Parameters"]["toolSha256"] == [TOOL_SHA256]  # the tool hash is pinned
    capture = "\n".join(CAPTURE.commands_for(sent[0]["Parameters"]))
    assert f"echo '{TOOL_SHA256}  '" in capture and "sha256sum -c" in capture


@pytest.mark.parametrize(
    "values",
    [
        {"toolUrl": "https://b.s3.amazonaws.com/t?x=1'; reboot; '", "toolSha256": TOOL_SHA256},
        {"toolUrl": "https://b.s3.amazonaws.com/t x", "toolSha256": TOOL_SHA256},
        {"toolUrl": "https://b.s3.amazonaws.com/t", "toolSha256": TOOL_SHA256 + "\n"},
        {"toolUrl": "https://b.s3.amazonaws.com/t", "toolSha256": "$(reboot)"},
        {"toolUrl": "https://b.s3.amazonaws.com/t"},
    ],
)
def test_memory_document_parameters_admit_nothing_the_shell_would_run(
    values: dict[str, str],
) -> None:
    with pytest.raises(InputError):
        CAPTURE.parameters_for(values, 3600)
