"""Scope: account baseline versus workload, in `prewire check`, its outputs and CrossGuard."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from policies.catalogue import Scope, controls_of, get
from policies.findings import Status
from policies.overrides import CheckSettingsError, Enforcement, load
from policies.scope import CheckScope, decide
from prewire.cli.main import app
from prewire.core.vocabulary import Cloud
from prewire.render import load_stack_config, render
from tests.policies.test_crossguard import violations

runner = CliRunner()
CORPUS = Path(__file__).resolve().parents[1] / "fixtures" / "programs" / "corpus"
EKS = CORPUS / "aws-eks-cluster"
ROOT = Path(__file__).resolve().parents[2]
GAPPY = Path(__file__).resolve().parents[1] / "fixtures" / "programs" / "gappy_aws"


def check(*args: str) -> tuple[int, dict[str, Any]]:
    result = runner.invoke(app, ["check", *args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_every_control_says_its_scope_and_presence_controls_are_account_scoped() -> None:
    for cloud in Cloud:
        scopes = {c.scope for c in controls_of(cloud)}
        assert scopes == {Scope.ACCOUNT, Scope.RESOURCE}
    for control_id in (
        "AWS-TRAIL-001",
        "AWS-STORE-001",
        "AWS-GUARDDUTY-001",
        "AZURE-LOG-001",
        "GCP-LOG-001",
    ):
        assert get(control_id).scope is Scope.ACCOUNT and get(control_id).baseline_output
    for control_id in (
        "AWS-EKS-001",
        "AWS-LAMBDA-001",
        "AWS-ECS-002",
        "AWS-FLOW-001",
        "GCP-GKE-001",
    ):
        assert get(control_id).scope is Scope.RESOURCE


def test_the_kits_stack_and_a_trail_program_are_baselines_an_app_is_a_workload() -> None:
    controls = controls_of(Cloud.AWS)
    kit_config = load_stack_config(ROOT / "Pulumi.example-aws.yaml", "prewire")
    kit = decide(render(None, kit_config), controls, CheckScope.AUTO)
    assert kit.scope is CheckScope.ALL and "prewire:aws:" in kit.reason
    gappy = decide(render(GAPPY), controls, CheckScope.AUTO)
    assert gappy.scope is CheckScope.ALL and "aws:cloudtrail/trail:Trail" in gappy.reason
    workload = decide(render(EKS), controls, CheckScope.AUTO)
    assert workload.scope is CheckScope.WORKLOAD and "no account baseline" in workload.reason


@pytest.mark.parametrize(
    ("scope", "judged", "relied_on"),
    [
        ("workload", {"AWS-EKS-001", "AWS-FLOW-001"}, {"AWS-TRAIL-001", "AWS-ISO-001"}),
        ("account", {"AWS-TRAIL-001", "AWS-ISO-001", "AWS-GUARDDUTY-001"}, set()),
        ("all", {"AWS-EKS-001", "AWS-TRAIL-001", "AWS-ISO-001"}, set()),
    ],
)
def test_scope_chooses_which_controls_judge(
    scope: str, judged: set[str], relied_on: set[str]
) -> None:
    _, document = check(str(EKS), "--scope", scope)
    failed = {f["control"] for f in document["findings"] if f["status"] == "failed"}
    baseline = {f["control"] for f in document["findings"] if f["status"] == "baseline"}
    assert judged <= failed and relied_on <= baseline
    if scope == "account":
        assert all(f["scope"] == "account" for f in document["findings"])
        assert "AWS-EKS-001" not in failed
    assert document["scope"] == {"scope": scope, "reason": f"--scope {scope} was asked for"}


def test_sarif_and_junit_carry_the_scope(tmp_path: Path) -> None:
    sarif_file, junit_file = tmp_path / "out.sarif", tmp_path / "out.xml"
    runner.invoke(app, ["check", str(EKS), "--format", "sarif", "--output", str(sarif_file)])
    [run] = json.loads(sarif_file.read_text())["runs"]
    assert run["properties"]["scope"]["scope"] == "workload"
    assert {r["properties"]["scope"] for r in run["results"]} == {"resource"}
    runner.invoke(app, ["check", str(EKS), "--format", "junit", "--output", str(junit_file)])
    root = ET.parse(junit_file).getroot()
    scopes = {p.get("value") for p in root.iter("property") if p.get("name") == "scope"}
    assert scopes == {"account", "resource"}
    assert root.find("./properties/property[@name='scope.scope']").get("value") == "workload"  # type: ignore[union-attr]
    relied_on = [c for c in root.iter("testcase") if c.get("classname") == "AWS-TRAIL-001"]
    assert relied_on and relied_on[0].find("skipped") is not None


def test_the_table_names_the_scope_and_the_controls_relied_on() -> None:
    result = runner.invoke(app, ["check", str(EKS)])
    text = " ".join((result.stdout + result.stderr).split())
    assert "scope: workload (the program declares no account baseline" in text
    assert "relied on the account baseline, not judged here: AWS-CONFIG-001" in text


def test_a_bad_baseline_outputs_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    broken = tmp_path / "outputs.json"
    broken.write_text("{not json")
    for path, message in (
        (broken, "not the JSON of `pulumi stack output --json`"),
        (tmp_path / "none.json", "no such baseline stack outputs file"),
    ):
        result = runner.invoke(app, ["check", str(EKS), "--baseline-stack-outputs", str(path)])
        assert (
            result.exit_code == 2 and message in result.stderr and "Traceback" not in result.stderr
        )


def test_the_policy_config_file_disables_and_enforces(tmp_path: Path) -> None:
    settings = tmp_path / "policy.json"
    # The CrossGuard policy-pack config format, as `pulumi preview --policy-pack-config` reads it.
    settings.write_text(
        json.dumps(
            {
                "aws-eks-001": "advisory",
                "aws-eks-002": {"enforcementLevel": "disabled"},
                "aws-flow-001": "advisory",
                "aws-lambda-001": "mandatory",
            }
        )
    )
    loaded = load(settings)
    assert loaded.of("AWS-EKS-001").enforcement is Enforcement.ADVISORY
    code, document = check(str(EKS), "--policy-config", str(settings), "--fail-on", "high")
    controls = {f["control"] for f in document["findings"]}
    assert "AWS-EKS-002" not in controls and "AWS-EKS-001" in controls
    assert code == 0, "EKS-001 and FLOW-001 are advisory, nothing else at high fails"
    assert "AWS-EKS-002 is disabled by policy.json" in document["notes"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("controls: {AWS-NOPE-001: disabled}", "'AWS-NOPE-001' is not a control id"),
        ("controls: {AWS-EKS-001: sometimes}", "enforcement 'sometimes' is not one of"),
        ("scope: everything", "scope 'everything' is not one of"),
        ("retentionDays: -3", "retentionDays must be a whole number of days"),
        ("colour: blue", "unknown settings colour"),
    ],
)
def test_malformed_settings_are_refused_with_one_line(
    tmp_path: Path, content: str, message: str
) -> None:
    settings = tmp_path / "prewire.yaml"
    settings.write_text(content)
    with pytest.raises(CheckSettingsError, match=message):
        load(settings)
    result = runner.invoke(app, ["check", str(EKS), "--policy-config", str(settings)])
    assert result.exit_code == 2 and message.split("'")[0] in result.stderr


def test_crossguard_judges_a_workload_like_prewire_check(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = render(EKS)
    found = violations(graph)
    assert {"AWS-EKS-001", "AWS-FLOW-001"} <= set(found)
    assert not {c for c in found if get(c).scope is Scope.ACCOUNT}, (
        "a workload relies on the baseline"
    )
    monkeypatch.setenv("PREWIRE_SCOPE", "all")
    assert {"AWS-TRAIL-001", "AWS-ISO-001"} <= set(violations(graph))
    monkeypatch.setenv("PREWIRE_SCOPE", "account")
    assert "AWS-EKS-001" not in violations(graph)


def test_a_workloads_own_network_is_judged_not_the_one_it_joins() -> None:
    from policies.static.engine import evaluate

    graph = render(CORPUS / "gcp-vm-default-network")
    findings = evaluate(graph, scope=CheckScope.WORKLOAD)
    assert not [f for f in findings if f.control.id == "GCP-FLOW-001"]
    judged_as_baseline = [
        f for f in evaluate(graph, scope=CheckScope.ALL) if f.control.id == "GCP-FLOW-001"
    ]
    assert [f.status for f in judged_as_baseline] == [Status.FAILED]
