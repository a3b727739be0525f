"""`prewire check` end to end over fixture programs: formats, output files and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from prewire.cli.main import app
from prewire.core import tokens as t

runner = CliRunner()
PROGRAMS = Path(__file__).resolve().parents[1] / "fixtures" / "programs"
ROOT = Path(__file__).resolve().parents[2]
GAPPY = str(PROGRAMS / "gappy_aws")

EXPECTED_GAPS = {
    "AWS-TRAIL-001",
    "AWS-TRAIL-002",
    "AWS-TRAIL-003",
    "AWS-TRAIL-004",
    "AWS-TRAIL-005",
    "AWS-TRAIL-006",
    "AWS-TRAIL-007",
    "AWS-STORE-001",
    "AWS-STORE-002",
    "AWS-STORE-003",
    "AWS-STORE-004",
    "AWS-STORE-005",
    "AWS-STORE-006",
    "AWS-STORE-007",
    "AWS-STORE-008",
    "AWS-FLOW-001",
    "AWS-ISO-001",
    "AWS-ISO-002",
    "AWS-GUARDDUTY-001",
    "AWS-CONFIG-001",
    "AWS-SNAP-001",
    "AWS-IAM-001",
    "AWS-IAM-002",
    "AWS-EKS-001",
    "AWS-EKS-002",
    "AWS-EKS-003",
    "AWS-LAMBDA-001",
    "AWS-LAMBDA-002",
    "AWS-ECS-001",
    "AWS-ECS-002",
    "AWS-SSM-001",
    "AWS-LOGS-001",
    "AWS-EBS-001",
    "AWS-RESP-001",
}


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", *args])
    return result.exit_code, result.stdout


def test_the_kits_own_stack_passes_with_the_example_config() -> None:
    code, out = run("--format", "json")
    document = json.loads(out)
    assert code == 0
    assert document["summary"]["failed"] == 0 and document["summary"]["passed"] > 40


def test_a_raw_program_gets_a_failed_finding_for_each_gap() -> None:
    code, out = run(GAPPY, "--format", "json")
    assert code == 1
    document = json.loads(out)
    failed = {f["control"] for f in document["findings"] if f["status"] == "failed"}
    assert failed == EXPECTED_GAPS
    finding = next(f for f in document["findings"] if f["control"] == "AWS-STORE-007")
    assert set(finding) >= {
        "control",
        "title",
        "severity",
        "status",
        "cloud",
        "resource",
        "evidence_sources",
        "message",
        "remediation",
    }
    assert finding["resource"] == "aws:s3/bucket:Bucket::trail-logs"
    assert "30 days" in finding["message"]
    presence = next(f for f in document["findings"] if f["control"] == "AWS-GUARDDUTY-001")
    assert presence["resource"] is None


def test_fail_on_sets_the_threshold_for_exit_1() -> None:
    assert run(GAPPY, "--format", "json", "--fail-on", "critical")[0] == 1
    code, _ = run(
        str(PROGRAMS / "project_with_main"),
        "--stack-config",
        str(PROGRAMS / "project_with_main" / "Pulumi.dev.yaml"),
        "--fail-on",
        "critical",
        "--format",
        "json",
    )
    assert code == 1  # the nested program has no locked evidence store (critical)


def test_sarif_lists_failed_findings_as_results(tmp_path: Path) -> None:
    target = tmp_path / "out.sarif"
    code, _ = run(GAPPY, "--format", "sarif", "--output", str(target))
    assert code == 1
    sarif = json.loads(target.read_text())
    assert sarif["version"] == "2.1.0"
    [run_] = sarif["runs"]
    rule_ids = {r["id"] for r in run_["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in run_["results"]} == EXPECTED_GAPS <= rule_ids
    assert all(r["level"] in ("error", "warning", "note") for r in run_["results"])
    uri = run_["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("gappy_aws/__main__.py")


def test_junit_has_a_failure_per_gap(tmp_path: Path) -> None:
    target = tmp_path / "junit.xml"
    code, _ = run(GAPPY, "--format", "junit", "--output", str(target))
    assert code == 1
    root = ET.parse(target).getroot()
    failures = root.findall(".//failure")
    assert int(root.get("failures", "0")) == len(failures) >= len(EXPECTED_GAPS)
    classes = {
        case.get("classname") for case in root.iter("testcase") if case.find("failure") is not None
    }
    assert classes == EXPECTED_GAPS


def test_table_is_the_default() -> None:
    code, out = run(GAPPY)
    assert code == 1
    assert "AWS-TRAIL-002" in out and "failed" in out


def test_program_errors_are_summarised_in_one_line_with_exit_2() -> None:
    result = runner.invoke(app, ["check", str(PROGRAMS / "broken")])
    assert result.exit_code == 2
    message = " ".join((result.stderr or result.stdout).split())
    assert "program failed: KeyError: 'retentionDays' (at __main__.py:5)" in message
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["/nonexistent/program"], "no such directory"),
        ([str(PROGRAMS)], "no __main__.py"),
        ([GAPPY, "--config", "novalue"], "expected KEY=VALUE"),
        ([GAPPY, "--stack-config", "/nonexistent.yaml"], "no such stack config file"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["check", *args])
    assert result.exit_code == 2
    assert message in " ".join((result.stderr or result.stdout).split())


def test_common_invokes_are_answered_from_their_arguments() -> None:
    from prewire.render import load_stack_config, render

    project = PROGRAMS / "project_with_main"
    graph = render(project, load_stack_config(project / "Pulumi.dev.yaml", "nested"))
    assert [i.token for i in graph.invokes] == ["aws:ec2/getAmi:getAmi"]
    assert not graph.unanswered_invokes
    assert str(graph.stack_outputs["ami"]).startswith("ami-")
    result = runner.invoke(
        app,
        [
            "check",
            str(project),
            "--stack-config",
            str(project / "Pulumi.dev.yaml"),
            "--format",
            "json",
        ],
    )
    document = json.loads(result.stdout)
    assert document["notes"] == []
    trail = next(f for f in document["findings"] if f["control"] == "AWS-TRAIL-002")
    assert trail["status"] == "passed"
    retention = [f for f in document["findings"] if f["control"] == "AWS-LOGS-001"]
    assert retention[0]["status"] == "passed"  # 400 days from the stack config


def test_config_overrides_change_the_rendering() -> None:
    project = PROGRAMS / "project_with_main"
    result = runner.invoke(
        app,
        [
            "check",
            str(project),
            "--stack-config",
            str(project / "Pulumi.dev.yaml"),
            "--config",
            "logRetention=14",
            "--format",
            "json",
        ],
    )
    retention = [f for f in json.loads(result.stdout)["findings"] if f["control"] == "AWS-LOGS-001"]
    assert retention[0]["status"] == "failed"


def test_with_checkov_merges_results_under_control_ids() -> None:
    code, out = run(GAPPY, "--with-checkov", "--format", "json")
    assert code == 1
    document = json.loads(out)
    checkov = [f for f in document["findings"] if f["source"] == "checkov"]
    assert checkov, document["notes"]
    trail = [f for f in checkov if f.get("checkov_id") == "CKV_AWS_36"]
    assert trail and trail[0]["control"] == "AWS-TRAIL-002" and trail[0]["status"] == "failed"
    assert any(n.startswith("checkov 3.3.30 ran") for n in document["notes"])


def test_the_kits_stack_passes_checkov_too() -> None:
    code, out = run("--with-checkov", "--format", "json")
    document = json.loads(out)
    assert code == 0
    assert document["summary"]["failed"] == 0
    waived = [f for f in document["findings"] if "accepted by design" in f["message"]]
    assert waived and all(f["status"] == "passed" for f in waived)


def test_the_kits_azure_stack_passes_checkov_on_its_arm_template() -> None:
    from prewire.drill.azure.account import responder_package

    code, out = run(
        "--stack-config",
        str(ROOT / "Pulumi.example-azure.yaml"),
        "--config",
        f"prewire:azure.responderPackage={responder_package()}",  # the Function App too
        "--with-checkov",
        "--fail-on",
        "low",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert code == 0, [f for f in document["findings"] if f["status"] == "failed"]
    assert any(f["resource"].startswith(t.AZ_WEB_APP) for f in document["findings"])
    checkov = [f for f in document["findings"] if f.get("source") == "checkov"]
    assert {"CKV_AZURE_3", "CKV_AZURE_12", "CKV_AZURE_34"} <= {f["checkov_id"] for f in checkov}
    https = [f for f in checkov if f["checkov_id"] == "CKV_AZURE_3"]
    assert all(f["control"] == "AZURE-STORE-003" for f in https), "mapped onto the prewire control"


def test_the_kits_gcp_stack_passes_checkov_on_its_terraform_plan() -> None:
    code, out = run(
        "--stack-config",
        str(ROOT / "Pulumi.example-gcp.yaml"),
        "--with-checkov",
        "--fail-on",
        "low",
        "--format",
        "json",
    )
    document = json.loads(out)
    assert code == 0, [f for f in document["findings"] if f["status"] == "failed"]
    checkov = {f["checkov_id"]: f for f in document["findings"] if f.get("source") == "checkov"}
    # checkov read the google_* resources and its checks map onto the prewire controls.
    assert checkov["CKV_GCP_29"]["control"] == "GCP-STORE-002"
    assert checkov["CKV_GCP_78"]["control"] == "GCP-STORE-003"
    assert "accepted by design" in checkov["CKV_GCP_62"]["message"]


def test_the_arm_export_nests_properties_and_restores_arm_names() -> None:
    from prewire.core.azure.arm_template import export
    from prewire.render import load_stack_config, render

    graph = render(None, load_stack_config(ROOT / "Pulumi.example-azure.yaml", "prewire"))
    template, by_address = export(graph)
    bodies = {(r["type"], r["name"]): r for r in template["resources"]}
    [account] = [
        b
        for (kind, name), b in bodies.items()
        if kind.endswith("storageAccounts") and name.startswith("prewireevid")
    ]
    assert account["properties"]["supportsHttpsTrafficOnly"] is True
    assert (
        account["sku"] == {"name": "Standard_GZRS"}
        and "resourceGroupName" not in account["properties"]
    )
    [nsg] = [b for (kind, _), b in bodies.items() if kind.endswith("networkSecurityGroups")][:1]
    assert nsg["properties"]["securityRules"][0]["properties"]["access"] == "Deny"
    [lock] = [b for (kind, _), b in bodies.items() if kind == "Microsoft.Authorization/locks"][:1]
    assert (
        lock["scope"].startswith("/subscriptions/")
        and lock["properties"]["level"] == "CanNotDelete"
    )
    # checkov names an ARM resource "<type>.<name>"; the findings map back through these.
    assert set(by_address) == {f"{kind}.{name}" for kind, name in bodies}


def test_readme_embeds_the_current_coverage_matrix() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    embedded = readme.split("<!-- coverage:start -->\n")[1].split("<!-- coverage:end -->")[0]
    result = runner.invoke(app, ["coverage", "--format", "markdown"])
    assert result.exit_code == 0
    assert embedded == result.stdout, "README is stale: paste `prewire coverage --format markdown`"


def test_coverage_rows_are_computed_from_the_registries() -> None:
    result = runner.invoke(app, ["coverage", "--format", "json"])
    rows = {(r["cloud"], r["source"]): r for r in json.loads(result.stdout)}
    memory = rows[("aws", "ec2-memory")]
    assert "capture-memory" in memory["collected"]["by"]
    assert "ec2-compromise" in memory["drilled"]["by"]
    assert memory["audited"]["covered"] and memory["checked"]["covered"]
    assert "snapshot-disks" in rows[("azure", "azure-vm-disks")]["collected"]["by"]
    assert "snapshot-disks" in rows[("gcp", "gce-disks")]["collected"]["by"]
    audit_logs = rows[("gcp", "gcp-audit-logs")]["audited"]
    assert audit_logs["covered"] and "GCP-LOG-001" in audit_logs["by"]
    flows = rows[("gcp", "gcp-vpc-flow-logs")]
    assert flows["collected"]["by"] == ["collect-logs"]
    assert "gce-compromise" in flows["drilled"]["by"]
    assert "aks-compromise" in rows[("azure", "aks-cluster")]["drilled"]["by"]


def test_the_plan_names_access_evidence_commands_and_gaps() -> None:
    result = runner.invoke(app, ["plan"])
    assert result.exit_code == 0
    text = result.stdout
    assert "arn:aws:iam::111122223333:role/IncidentCommander" in text and "MFA" in text
    assert "secops@example.com" in text
    assert "Object Lock COMPLIANCE, 365 days" in text
    assert "prewire respond aws contain-instance --case <CASE> --target <instance-id>" in text
    assert "## Not covered yet" in text and "No readiness is provisioned for: azure, gcp." in text
    html = runner.invoke(app, ["plan", "--format", "html"]).stdout
    assert html.startswith("<!doctype html>") and "<h1>Cloud incident response plan</h1>" in html


def test_a_gcp_stack_gets_its_own_plan_section() -> None:
    result = runner.invoke(app, ["plan", "--stack-config", str(ROOT / "Pulumi.example-gcp.yaml")])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "## GCP" in text and "## AWS" not in text
    assert "group `incident-commanders@example.com`" in text and "closed (open it" in text
    assert "`prewire-evidence-acme-payments-prod-" in text and "Bucket Lock 365 days" in text
    assert "findings of organization 123456789012" in text
    # Every GCP drill scenario has its command, with the project filled in.
    assert (
        "prewire respond gcp contain-instance --case <CASE> --target "
        "projects/acme-payments-prod/zones/<z>/instances/<name> --project acme-payments-prod"
    ) in text
    assert "preserve-service" in text and "investigate-cluster" in text


def test_an_azure_stack_gets_its_own_plan_section() -> None:
    config = str(ROOT / "Pulumi.example-azure.yaml")
    result = runner.invoke(app, ["plan", "--stack-config", config])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "## Azure" in text and "## GCP" not in text
    assert "tagged `prewire:role=evidence-store`" in text and "locked 365 days" in text
    assert "Defender for Cloud alerts of severity High or Medium" in text
    assert "prewire respond azure contain-instance --case <CASE> --target /subscriptions/" in text
