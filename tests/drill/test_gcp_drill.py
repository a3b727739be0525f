"""The `gce-compromise` drill on the local GCP fake, and the finding-to-playbook planning."""

from __future__ import annotations

from pathlib import Path

import pytest

from prewire.core.vocabulary import Cloud
from prewire.drill.gcp.target import GcpAccount
from prewire.drill.options import DrillOptions
from prewire.drill.runner import DrillResult, run_drill
from responders.gcp.findings import DRILL_MARKER, evidence_root, plan_response

VM = "projects/acme-prod/zones/europe-west1-b/instances/web-1"


def test_findings_plan_the_playbook_of_the_instance_they_name() -> None:
    finding = {"name": "organizations/1/sources/2/findings/abc", "severity": "HIGH"}
    contain = plan_response(
        {**finding, "resourceName": f"//compute.googleapis.com/{VM}"}, auto_contain=True
    )
    assert contain is not None and contain.playbook == "contain-instance"
    assert contain.targets == (VM,) and contain.case_id == "scc-abc"
    preserve = plan_response(
        {**finding, "resourceName": f"//compute.googleapis.com/{VM}"}, auto_contain=False
    )
    assert preserve is not None and preserve.playbook == "preserve-instance"
    bucket = "//storage.googleapis.com/payroll"
    assert plan_response({**finding, "resourceName": bucket}, auto_contain=True) is None
    service = "projects/acme-prod/locations/europe-west1/services/checkout"
    run = plan_response(
        {**finding, "resourceName": f"//run.googleapis.com/{service}"}, auto_contain=True
    )
    assert run is not None and (run.playbook, run.targets) == ("preserve-service", (service,))
    gke = plan_response(
        {
            **finding,
            "resourceName": "//container.googleapis.com/projects/acme-prod/zones/europe-west1-b"
            "/clusters/apps",
        },
        auto_contain=True,
    )
    assert gke is not None and gke.playbook == "investigate-cluster"
    assert gke.targets == ("projects/acme-prod/locations/europe-west1-b/clusters/apps",)
    assert evidence_root(finding) == "cases"
    assert evidence_root({**finding, "sourceProperties": {DRILL_MARKER: "true"}}) == "drills"


@pytest.fixture(scope="module")
def gcp_drill(tmp_path_factory: pytest.TempPathFactory) -> DrillResult:
    return run_drill(
        DrillOptions(scenarios=["gce-compromise"], report_dir=tmp_path_factory.mktemp("gcp"))
    )


def test_the_gcp_drill_contains_the_instance_without_stopping_it(gcp_drill: DrillResult) -> None:
    assert gcp_drill.ok, [c for c in gcp_drill.report.checks if c.status == "failed"]
    statuses = {c.name: c.status for c in gcp_drill.report.checks}
    # The rendered stack was loaded into the fake and `prewire audit gcp` gated it.
    gate = [c for c in gcp_drill.report.checks if c.name == "target passes the readiness gate"]
    assert [c.status for c in gate] == ["held"]
    assert statuses["the instance was never stopped, reset or deleted"] == "held"
    assert statuses["the instance's service account and its keys are disabled"] == "held"
    account = gcp_drill.accounts[Cloud.GCP]
    assert isinstance(account, GcpAccount)
    victim = account.victim
    instance = account.fake.compute.instances[(victim.zone, victim.name)]
    assert instance["status"] == "RUNNING" and "prewire-quarantine" in instance["tags"]["items"]
    run = gcp_drill.runs["gce-compromise"]
    assert run.store.root == "drills"


def _remove_quarantine_rules(account: GcpAccount) -> None:
    account.fake.compute.firewalls.clear()


def test_missing_quarantine_rules_fail_isolation_and_leave_the_address(tmp_path: Path) -> None:
    result = run_drill(
        DrillOptions(
            scenarios=["gce-compromise"],
            report_dir=tmp_path,
            sabotage=_remove_quarantine_rules,
            sabotage_cloud=Cloud.GCP,
        )
    )
    failed = {c.name: c.detail for c in result.report.checks if c.status == "failed"}
    assert "GCP-NET-001" in failed["target passes the readiness gate"]  # seen before the attack
    assert "no deny-all" in failed["responders completed without failure"]
    assert "no quarantine tag" in failed["quarantine tag on, no external address left"]
    account = result.accounts[Cloud.GCP]
    assert isinstance(account, GcpAccount)
    instance = account.fake.compute.instances[(account.victim.zone, account.victim.name)]
    assert instance["networkInterfaces"][0]["accessConfigs"]  # isolation refused: untouched
