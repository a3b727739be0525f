"""The `azure-vm-compromise` drill on the local Azure fake, and what it is made of: the
continuous-export rule evaluation and the alert-to-playbook planning."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from prewire.cli.main import app
from prewire.core.vocabulary import Cloud
from prewire.drill.azure.detection import RoutingError, exports
from prewire.drill.azure.target import AzureAccount
from prewire.drill.options import DrillOptions
from prewire.drill.runner import DrillResult, run_drill
from prewire.drill.scenarios import SCENARIOS, load_scenarios
from responders.azure.alerts import DRILL_MARKER, evidence_root, plan_response

SUB = "/subscriptions/00000000-0000-4000-8000-00000000f00d"
VM = f"{SUB}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/web"
CLUSTER = f"{SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"


def _alert(severity: str = "High", *resources: str) -> dict[str, Any]:
    return {
        "SystemAlertId": "a1/b2",
        "AlertType": "VM_Test",
        "Severity": severity,
        "ResourceIdentifiers": [
            {"Type": "AzureResource", "AzureResourceId": r} for r in resources or (VM,)
        ]
        + [{"Type": "LogAnalytics", "WorkspaceId": "w"}],
    }


def _automation(*rule_sets: list[dict[str, str]], enabled: bool = True) -> dict[str, Any]:
    return {
        "properties": {
            "isEnabled": enabled,
            "sources": [{"eventSource": "Alerts", "ruleSets": [{"rules": r} for r in rule_sets]}],
        }
    }


def _rule(path: str, value: str, operator: str = "Equals") -> dict[str, str]:
    return {"propertyJPath": path, "expectedValue": value, "operator": operator}


def test_rule_sets_are_ored_and_rules_anded() -> None:
    high_or_medium = _automation([_rule("Severity", "High")], [_rule("Severity", "Medium")])
    assert exports(high_or_medium, _alert("Medium"))
    assert not exports(high_or_medium, _alert("Low"))
    both = _automation([_rule("Severity", "High"), _rule("AlertType", "VM_", "StartsWith")])
    assert exports(both, _alert("High"))
    assert not exports(both, {**_alert("High"), "AlertType": "K8S_Test"})
    assert not exports(_automation([_rule("Severity", "High")], enabled=False), _alert())
    with pytest.raises(RoutingError, match="operator Matches"):
        exports(_automation([_rule("Severity", "H.*", "Matches")]), _alert())


def test_alerts_plan_the_playbook_of_the_resource_they_name() -> None:
    contain = plan_response(_alert("High", VM), auto_contain=True)
    assert contain is not None and contain.playbook == "contain-instance"
    assert contain.targets == (VM,) and contain.case_id == "dfc-a1-b2"
    preserve = plan_response(_alert("High", VM), auto_contain=False)
    assert preserve is not None and preserve.playbook == "preserve-instance"
    cluster = plan_response(_alert("High", CLUSTER), auto_contain=True)
    assert cluster is not None and cluster.playbook == "investigate-cluster"
    # A VM's extension is not the VM: no responder for it.
    assert plan_response(_alert("High", f"{VM}/extensions/x"), auto_contain=True) is None
    assert evidence_root(_alert()) == "cases"
    assert evidence_root({**_alert(), "ExtendedProperties": {DRILL_MARKER: "true"}}) == "drills"


@pytest.fixture(scope="module")
def azure_drill(tmp_path_factory: pytest.TempPathFactory) -> DrillResult:
    return run_drill(
        DrillOptions(scenarios=["azure-vm-compromise"], report_dir=tmp_path_factory.mktemp("azure"))
    )


def test_the_azure_drill_contains_the_vm_and_its_evidence_verifies(
    azure_drill: DrillResult,
) -> None:
    assert azure_drill.ok, [c for c in azure_drill.report.checks if c.status != "held"]
    held = {c.name for c in azure_drill.report.checks if c.status == "held"}
    assert "every interface of the VM carries the isolation NSG" in held
    assert "the VM was never stopped, restarted or deleted" in held
    run = azure_drill.runs["azure-vm-compromise"]
    account = azure_drill.accounts[Cloud.AZURE]
    assert isinstance(account, AzureAccount)
    # The evidence went under drills/ (the alert carries the drill marker); the expectation
    # "evidence present under COMPLIANCE lock with matching hashes" verified it while the fake ran.
    assert run.store.root == "drills"
    assert "evidence present under COMPLIANCE lock with matching hashes" in held
    nic = account.fake.state.get(account.victim.nic_id)
    assert nic is not None
    assert nic["properties"]["networkSecurityGroup"]["id"] == account.prewired.isolation_nsg_id
    document = json.loads(
        next(p for p in azure_drill.report_paths if p.suffix == ".json").read_text()
    )
    metrics = {m["group"]: m for m in document["metrics"]}
    assert metrics["azure-vm-compromise"]["time_to_containment_seconds"] is not None
    assert any(a["key"].endswith(".vhd") for a in document["artifacts"])


def _sabotaged(report_dir: Path, sabotage: Callable[[AzureAccount], None]) -> DrillResult:
    return run_drill(
        DrillOptions(
            scenarios=["azure-vm-compromise"],
            report_dir=report_dir,
            sabotage=sabotage,
            sabotage_cloud=Cloud.AZURE,
        )
    )


def _disable_export(account: AzureAccount) -> None:
    automation = next(
        a
        for a in account.fake.state.of_type("Microsoft.Security/automations")
        if a["name"] == "prewire-alert-export"
    )
    automation["properties"]["isEnabled"] = False
    account.fake.state.put(automation)


def test_a_disabled_export_automation_stops_the_scenario_and_is_named(tmp_path: Path) -> None:
    result = _sabotaged(tmp_path, _disable_export)
    failed = {c.name: c.detail for c in result.report.checks if c.status == "failed"}
    # The live audit sees the disabled export, and the scenario shows what it costs.
    assert set(failed) == {"target passes the readiness gate", "scenario ran to the end"}
    assert "AZURE-DEF-003" in failed["target passes the readiness gate"]
    assert "no automation exports this High alert" in failed["scenario ran to the end"]
    account = result.accounts[Cloud.AZURE]
    assert isinstance(account, AzureAccount)
    # No response ran: the VM kept its own network security group.
    nic = account.fake.state.get(account.victim.nic_id)
    assert nic is not None and nic["properties"]["networkSecurityGroup"]["id"] == (
        account.victim.web_nsg_id
    )


def _remove_isolation_nsg(account: AzureAccount) -> None:
    account.fake.state.delete(account.prewired.isolation_nsg_id)


def test_a_missing_isolation_nsg_blocks_the_gate(tmp_path: Path) -> None:
    result = _sabotaged(tmp_path, _remove_isolation_nsg)
    failed = {c.name: c.detail for c in result.report.checks if c.status == "failed"}
    assert "AZURE-NET-001" in failed["target passes the readiness gate"]
    assert "every interface of the VM carries the isolation NSG" in failed


def test_an_azure_scenario_is_refused_on_an_aws_sandbox_before_anything_starts() -> None:
    result = CliRunner().invoke(
        app, ["drill", "azure-vm-compromise", "--target", "aws", "--region", "eu-west-1"]
    )
    assert result.exit_code == 2
    assert "azure-vm-compromise cannot run on this target" in result.output


def test_the_aks_drill_reads_the_cluster_and_notices_any_write(tmp_path: Path) -> None:
    result = run_drill(DrillOptions(scenarios=["aks-compromise"], report_dir=tmp_path))
    assert result.ok, [c for c in result.report.checks if c.status != "held"]
    run = result.runs["aks-compromise"]
    account = result.accounts[Cloud.AZURE]
    assert isinstance(account, AzureAccount)
    cluster = account.victim.cluster_id
    since = account.fake.state.requests_since("aks-compromise")
    commands = [b["command"] for m, p, b in since if p.lower().endswith("/runcommand") and b]
    assert len(commands) >= 7 and all(c.startswith("kubectl get ") for c in commands)
    # The expectation is not vacuous: a write to the cluster after the alert is named.
    account.fake.state.handle("PATCH", cluster, {}, {"tags": {"touched": "yes"}})
    load_scenarios()
    only_read = next(
        e
        for e in SCENARIOS.get("aks-compromise").expectations
        if e.name == "the cluster was only read"
    )
    assert "PATCH" in str(only_read.check(run))
