"""`prewire drill` on the embedded emulator: every scenario, and broken setups named as such."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from prewire.drill.aws.environment import PreparedAccount
from prewire.drill.options import DrillOptions
from prewire.drill.runner import DrillResult, run_drill
from responders.aws import parameters


@pytest.fixture(scope="module")
def full_drill(tmp_path_factory: pytest.TempPathFactory) -> DrillResult:
    return run_drill(DrillOptions(report_dir=tmp_path_factory.mktemp("drill")))


def test_every_scenario_runs_and_every_expectation_holds(full_drill: DrillResult) -> None:
    assert full_drill.ok, [c for c in full_drill.report.checks if c.status == "failed"]
    groups = {c.group for c in full_drill.report.checks}
    # Every cloud's target is opened by default, each gated on its own live audit.
    targets = {"aws target", "azure target", "gcp target"}
    assert targets <= groups
    assert groups - targets == {
        "ec2-compromise",
        "access-key-leak",
        "lambda-backdoor",
        "eks-node-compromise",
        "ecs-task-compromise",
        "azure-vm-compromise",
        "aks-compromise",
        "gce-compromise",
        "cloud-run-compromise",
        "gke-compromise",
    }
    unverifiable = [c.name for c in full_drill.report.checks if c.status == "not-verifiable"]
    # No SSM agent on the emulator: stated, not passed. Every cloud's gate ran a live audit.
    assert unverifiable == ["memory image captured"]


def test_reports_carry_timeline_metrics_artifacts_and_lessons(full_drill: DrillResult) -> None:
    paths = {p.suffix: p for p in full_drill.report_paths}
    assert set(paths) == {".md", ".html", ".json"}
    document = json.loads(paths[".json"].read_text())
    metrics = {m["group"]: m for m in document["metrics"]}
    assert metrics["ec2-compromise"]["time_to_containment_seconds"] is not None
    assert metrics["ec2-compromise"]["time_to_evidence_seconds"] is not None
    assert all(len(a["sha256"]) == 64 for a in document["artifacts"])
    assert document["lessons"]
    labels = [r["label"] for r in document["rows"]]
    assert "readiness gate: live audit of the target" in labels
    assert any(label.startswith("isolate-instance ") for label in labels)
    html = paths[".html"].read_text()
    assert "<svg" in html and html.count('<rect class="step"') == len(document["rows"])
    markdown = paths[".md"].read_text()
    assert "## Lessons learned" in markdown and "## Evidence collected" in markdown


def _break_isolation(account: PreparedAccount) -> None:
    account.clients.ssm.delete_parameter(Name=parameters.isolation_group(account.network.vpc_id))


def test_missing_isolation_group_fails_the_right_expectations(tmp_path: Path) -> None:
    result = run_drill(
        DrillOptions(scenarios=["ec2-compromise"], report_dir=tmp_path, sabotage=_break_isolation)
    )
    assert not result.ok
    failed = {c.name for c in result.report.checks if c.status == "failed"}
    assert "instance isolated on every interface" in failed
    assert "target passes the readiness gate" in failed  # the audit saw it before the attack
    report = (tmp_path / "report.md").read_text()
    assert "| ec2-compromise | instance isolated on every interface | failed |" in report


def _break_responder(account: PreparedAccount) -> None:
    account.clients.ssm.delete_parameter(Name=parameters.QUARANTINE_POLICY_ARN)


def test_a_responder_made_to_fail_is_named_in_the_report(tmp_path: Path) -> None:
    result = run_drill(
        DrillOptions(scenarios=["access-key-leak"], report_dir=tmp_path, sabotage=_break_responder)
    )
    assert not result.ok
    failed = {c.name: c.detail for c in result.report.checks if c.status == "failed"}
    assert "user quarantined with the deny-all policy" in failed
    assert "no quarantine policy" in failed["responders completed without failure"]


def test_a_drill_behind_the_realistic_cloud_model_notes_its_calls(tmp_path: Path) -> None:
    from prewire.emulator.aws.cloud_model import REALISTIC

    result = run_drill(
        DrillOptions(scenarios=["ec2-compromise"], report_dir=tmp_path, cloud_model=REALISTIC)
    )
    assert result.ok, [c for c in result.report.checks if c.status == "failed"]
    [note] = [n for n in result.report.notes if "realistic cloud model" in n]
    calls = int(note.split(": ", 1)[1].split(" calls", 1)[0])
    assert calls > 50  # the stack, the seeding and the responders all went through it


def test_an_unknown_scenario_is_one_line_and_exit_2() -> None:
    from typer.testing import CliRunner

    from prewire.cli.main import app

    result = CliRunner().invoke(app, ["drill", "no-such-scenario"])
    assert result.exit_code == 2
    assert "unknown drill scenario 'no-such-scenario'; known:" in result.output
    assert "Traceback" not in result.output
