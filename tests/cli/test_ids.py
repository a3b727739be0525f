"""Ids that reach object keys, custody entries and API paths are checked whole: a trailing
newline, a NUL, a slash, a look-alike letter from another script or one character too many is
refused with one line and exit 2, before any client is built, on every command that takes one.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from typer.testing import CliRunner

from prewire.cli.main import app
from responders.aws.case import AwsCase
from responders.aws.targets import _validate_identities, describe_instances
from responders.azure import ids as azure_ids
from responders.case import check_case_id
from responders.gcp import ids as gcp_ids
from responders.runtime import InputError

runner = CliRunner()
BAD_CASE_IDS = {
    "newline": "case-1\n",
    "nul": "case\x001",
    "slash": "case/1",
    "parent": "../case-1",
    "cyrillic-a": "c\u0430se-1",  # a Cyrillic a
    "129-chars": "c" * 129,
    "empty": "",
    "leading-space": " case-1",
}
SUBSCRIPTION = "11111111-2222-4333-8444-555555555555"
VM = (
    f"/subscriptions/{SUBSCRIPTION}/resourceGroups/app"
    "/providers/Microsoft.Compute/virtualMachines/web"
)
GCE = "projects/app-prod-123/zones/europe-west1-b/instances/web"
# Unreachable on purpose: a command that got past validation would fail to connect, not succeed.
NOWHERE = ["--endpoint-url", "http://127.0.0.1:9", "--region", "us-east-1"]
COMMANDS = {
    "respond-aws": [
        "respond",
        "aws",
        "snapshot-disks",
        "--target",
        "i-0123456789abcdef0",
        *NOWHERE,
    ],
    "respond-azure": [
        "respond",
        "azure",
        "snapshot-disks",
        "--target",
        VM,
        "--subscription",
        SUBSCRIPTION,
    ],
    "respond-gcp": [
        "respond",
        "gcp",
        "snapshot-disks",
        "--target",
        GCE,
        "--project",
        "app-prod-123",
    ],
    "evidence-verify": ["evidence", "verify", *NOWHERE, "--evidence-bucket", "b"],
    "evidence-log": ["evidence", "log", *NOWHERE, "--evidence-bucket", "b"],
    "report": ["report", *NOWHERE, "--evidence-bucket", "b"],
}


def _with_case(command: list[str], case: str) -> list[str]:
    if command[0] == "respond":
        return [*command, "--case", case]
    head = 2 if command[0] == "evidence" else 1
    return [*command[:head], case, *command[head:]]


@pytest.mark.parametrize("case", list(BAD_CASE_IDS.values()), ids=list(BAD_CASE_IDS))
@pytest.mark.parametrize("command", list(COMMANDS.values()), ids=list(COMMANDS))
def test_a_bad_case_id_is_refused_in_one_line_and_changes_nothing(
    command: list[str], case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, _with_case(command, case))
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1 and "case id" in lines[0], result.output
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # no report folder, no local evidence


def test_a_good_case_id_passes() -> None:
    assert check_case_id("IR-2026.12_03-a") == "IR-2026.12_03-a"
    assert check_case_id("c" * 128) == "c" * 128


@pytest.mark.parametrize(
    "target",
    [
        "i-0123456789abcdef0\n",
        "i-0123456789abcdef0\x00",
        "\u0456-0123456789abcdef0",
        "i-0123456789abcdef01",
    ],
)
def test_aws_instance_ids_are_matched_whole(target: str) -> None:
    with pytest.raises(InputError, match="not an EC2 instance id"):
        describe_instances(cast(AwsCase, None), [target])  # refused before any call


@pytest.mark.parametrize(
    "target",
    ["role/app\n", "user/\u0430dmin", "role/a/../b\x00", "arn:aws:iam::123456789012:role/x\n"],
)
def test_aws_identities_are_matched_whole_and_in_ascii(target: str) -> None:
    with pytest.raises(InputError, match="not an identity"):
        _validate_identities(cast(AwsCase, None), [target])


@pytest.mark.parametrize("suffix", ["\n", "\x00", " ", "/\n"])
def test_azure_resource_ids_are_matched_whole(suffix: str) -> None:
    assert str(azure_ids.parse(VM)) == VM
    with pytest.raises(InputError, match="not an Azure resource id"):
        azure_ids.parse(VM + suffix)


@pytest.mark.parametrize("suffix", ["\n", "\x00", " "])
def test_gcp_references_are_matched_whole(suffix: str) -> None:
    assert gcp_ids.instance(GCE).name == "web"
    with pytest.raises(InputError):
        gcp_ids.instance(GCE + suffix)
