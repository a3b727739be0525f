"""`prewire audit gcp` on the local GCP fake: the kit's rendered stack loaded into the fake passes
every GCP control; a project made unready in one specific way fails exactly that control; a list
the caller may not read makes the controls reading it `unknown`; an unknown project is refused."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from policies.catalogue import controls_of
from policies.findings import Finding, Status
from policies.live.gcp.audit import audit_project
from prewire.cli.main import app
from prewire.core import tokens as t
from prewire.core.gcp.kinds import BY_TOKEN
from prewire.core.gcp.rest import as_resource
from prewire.core.vocabulary import Cloud
from prewire.drill.gcp.provision import SNAPSHOT_LABEL, provision_gcp, stack_graph
from prewire.drill.gcp.victim import ZONE, seed_victim
from prewire.emulator.gcp import FakeGcp
from responders.gcp import session
from responders.gcp.session import GcpClients

RETENTION_DAYS = 30
GKE_COMPONENTS = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"]
runner = CliRunner()


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeGcp]:
    with FakeGcp() as gcp:
        yield gcp


@pytest.fixture
def clients(fake: FakeGcp) -> GcpClients:
    fake.reset()
    clients = GcpClients(fake.project, fake.credentials(), fake.url, poll_seconds=0.01)
    seed_victim(fake, "a1")
    cluster = fake.gke.add_cluster("europe-west1", "apps", "https://127.0.0.1:1", b"unused")
    cluster["loggingConfig"]["componentConfig"]["enableComponents"] = list(GKE_COMPONENTS)
    done = provision_gcp(stack_graph(fake.project, RETENTION_DAYS), fake, clients)
    assert done.created and all("not read by prewire" in r for r in done.not_created.values())
    return clients


def _audit(clients: GcpClients) -> dict[Status, dict[str, list[str]]]:
    grouped: dict[Status, dict[str, list[str]]] = {}
    findings: list[Finding] = audit_project(clients, retention_days=RETENTION_DAYS).findings
    for finding in findings:
        grouped.setdefault(finding.status, {}).setdefault(finding.control.id, []).append(
            finding.message
        )
    return grouped


def test_the_deployed_stack_passes_every_gcp_control(fake: FakeGcp, clients: GcpClients) -> None:
    before = len(fake.requests)
    grouped = _audit(clients)
    assert set(grouped) == {Status.PASSED}, {s: g for s, g in grouped.items() if s != Status.PASSED}
    assert set(grouped[Status.PASSED]) == {c.id for c in controls_of(Cloud.GCP)}
    # The schedule was attached to the victim's labelled disks by the stack's own code.
    assert (
        "prewire-daily-snapshots: on all 2 labelled disk(s)"
        in grouped[Status.PASSED]["GCP-SNAP-001"]
    )
    writes = [p.rstrip("?") for m, p in fake.requests[before:] if m != "GET"]
    assert writes == ["/v1/projects/prewire-fake:getIamPolicy"]  # a read, sent as POST


def _unlock_evidence(fake: FakeGcp) -> None:
    for bucket in fake.storage.buckets.values():
        if bucket.labels.get("prewire-role") == "evidence-store":
            bucket.locked = False


def _drop_egress_quarantine(fake: FakeGcp) -> None:
    for name in [n for n in fake.compute.firewalls if n.startswith("prewire-quarantine-egress")]:
        del fake.compute.firewalls[name]


def _exempt_a_member(fake: FakeGcp) -> None:
    config = fake.listings.iam_policy["auditConfigs"][0]
    config["auditLogConfigs"][1]["exemptedMembers"] = ["user:attacker@example.com"]


def _unscheduled_labelled_disk(fake: FakeGcp) -> None:
    fake.compute.add_disk(ZONE, "late-disk", labels=dict([SNAPSHOT_LABEL]))


def _disable_responder_account(fake: FakeGcp) -> None:
    fake.iam.accounts[f"prewire-responder@{fake.project}.iam.gserviceaccount.com"]["disabled"] = (
        True
    )


def _cluster_without_audit_logs(fake: FakeGcp) -> None:
    fake.gke.add_cluster("europe-west1", "legacy", "https://127.0.0.1:1", b"unused")


def _flow_logs_off(fake: FakeGcp) -> None:
    for items in fake.listings.collections.values():
        for item in items:
            if "vpcFlowLogsConfigs/" in str(item.get("name")):
                item["state"] = "DISABLED"


def _no_finding_notifications(fake: FakeGcp) -> None:
    for path in [p for p in fake.listings.collections if p.endswith("/notificationConfigs")]:
        fake.listings.collections[path] = []


def _break_glass_without_expiry(fake: FakeGcp) -> None:
    for binding in fake.listings.iam_policy["bindings"]:
        if binding["role"].endswith("/prewireBreakGlass"):
            del binding["condition"]


@pytest.mark.parametrize(
    ("sabotage", "control", "message"),
    [
        (_unlock_evidence, "GCP-STORE-001", "retention policy not locked"),
        (_drop_egress_quarantine, "GCP-NET-001", "no deny-all egress quarantine rule"),
        (_exempt_a_member, "GCP-LOG-001", "user:attacker@example.com"),
        (_unscheduled_labelled_disk, "GCP-SNAP-001", "without it: late-disk"),
        (_disable_responder_account, "GCP-RESP-001", "service account is disabled"),
        (_cluster_without_audit_logs, "GCP-GKE-001", "not logged: APISERVER"),
        (_flow_logs_off, "GCP-FLOW-001", "network app-vpc: no VPC flow logs"),
        (_no_finding_notifications, "GCP-DET-001", "no Security Command Center notification"),
        (_break_glass_without_expiry, "GCP-IAM-001", "without an expiry condition"),
    ],
)
def test_one_gap_fails_exactly_its_control(
    fake: FakeGcp,
    clients: GcpClients,
    sabotage: Callable[[FakeGcp], None],
    control: str,
    message: str,
) -> None:
    sabotage(fake)
    grouped = _audit(clients)
    assert set(grouped.get(Status.FAILED, {})) == {control}
    assert any(message in m for m in grouped[Status.FAILED][control]), grouped[Status.FAILED]
    assert Status.UNKNOWN not in grouped


def test_a_list_the_caller_may_not_read_makes_its_readers_unknown(
    fake: FakeGcp, clients: GcpClients
) -> None:
    fake.listings.denied = {"sinks"}
    grouped = _audit(clients)
    # Every control reading sinks (the stores are found through them too) cannot decide.
    assert set(grouped[Status.UNKNOWN]) == {
        "GCP-LOG-002",
        "GCP-LOG-003",
        "GCP-STORE-001",
        "GCP-STORE-002",
        "GCP-STORE-003",
    }
    assert all(
        "not permitted to call logging sinks" in m[0] for m in grouped[Status.UNKNOWN].values()
    )
    assert Status.FAILED not in grouped


def test_every_page_is_read(fake: FakeGcp, clients: GcpClients) -> None:
    fake.listings.page_size = 1
    try:
        grouped = _audit(clients)
    finally:
        fake.listings.page_size = 50
    assert set(grouped) == {Status.PASSED}
    assert any("pageToken=" in path for _, path in fake.requests)


def test_organization_notification_configs_count_with_an_organization_id(
    fake: FakeGcp, clients: GcpClients
) -> None:
    _no_finding_notifications(fake)
    fake.listings.add(
        "/v2/organizations/123456789012/locations/global/notificationConfigs",
        {
            "name": "organizations/123456789012/locations/global/notificationConfigs/org-findings",
            "pubsubTopic": f"projects/{fake.project}/topics/prewire-scc-findings",
            "streamingConfig": {"filter": 'state="ACTIVE" AND severity="HIGH"'},
        },
    )
    findings = audit_project(clients, "123456789012", RETENTION_DAYS).findings
    detection = [f for f in findings if f.control.id == "GCP-DET-001"]
    assert [f.status for f in detection] == [Status.PASSED]
    assert "org-findings" in detection[0].message


def test_api_items_become_the_inputs_pulumi_gcp_names() -> None:
    # Shapes as in Google's discovery documents (compute v1 Firewall, storage v1 Bucket).
    firewall = as_resource(
        BY_TOKEN[t.GCP_FIREWALL],
        {
            "kind": "compute#firewall",
            "name": "deny-all-egress",
            "network": "https://www.googleapis.com/compute/v1/projects/p/global/networks/vpc",
            "priority": 0,
            "direction": "EGRESS",
            "denied": [{"IPProtocol": "all"}],
            "allowed": [{"IPProtocol": "tcp", "ports": ["22"]}],
            "destinationRanges": ["0.0.0.0/0"],
            "targetTags": ["prewire-quarantine"],
            "selfLink": "https://www.googleapis.com/compute/v1/projects/p/global/firewalls/x",
        },
    )
    assert firewall.get("denies") == [{"protocol": "all"}]
    assert firewall.get("allows") == [{"protocol": "tcp", "ports": ["22"]}]
    bucket = as_resource(
        BY_TOKEN[t.GCP_BUCKET],
        {
            "kind": "storage#bucket",
            "name": "evidence",
            "iamConfiguration": {
                "uniformBucketLevelAccess": {"enabled": True, "lockedTime": "2026-01-01T00:00:00Z"},
                "publicAccessPrevention": "enforced",
            },
            "retentionPolicy": {"retentionPeriod": "86400", "isLocked": True},
        },
    )
    assert bucket.get("uniformBucketLevelAccess") is True
    assert bucket.get("retentionPolicy") == {"retentionPeriod": "86400", "isLocked": True}
    assert bucket.get("versioning") == {"enabled": False}


# -- the command -------------------------------------------------------------------------------


@pytest.fixture
def cli_env(fake: FakeGcp, clients: GcpClients, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.setattr(session, "default_credentials", lambda: clients.credentials)
    return {"PREWIRE_GCP_ENDPOINT": fake.url, "COLUMNS": "200"}


def test_the_command_reports_the_project(cli_env: dict[str, str]) -> None:
    result = runner.invoke(
        app,
        ["audit", "gcp", "--project", "prewire-fake", "--retention-days", "30", "--format", "json"],
        env=cli_env,
    )
    assert result.exit_code == 0, result.output
    document: Any = json.loads(result.stdout)
    assert document["project"] == "prewire-fake"
    assert {f["status"] for f in document["findings"]} == {"passed"}


def test_a_shorter_retention_than_required_fails_with_exit_1(cli_env: dict[str, str]) -> None:
    # Audited against the kit's default (365 days), the drill's 30-day buckets are too short.
    result = runner.invoke(
        app, ["audit", "gcp", "--project", "prewire-fake", "--format", "json"], env=cli_env
    )
    assert result.exit_code == 1
    failed = {
        f["control"]: f["message"]
        for f in json.loads(result.stdout)["findings"]
        if f["status"] == "failed"
    }
    assert "retention 30 days, required 365" in failed["GCP-STORE-001"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--project", "someone-elses"], "project someone-elses does not exist or the caller"),
        ([], "no project: pass --project or set GOOGLE_CLOUD_PROJECT"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    fake: FakeGcp, cli_env: dict[str, str], arguments: list[str], message: str
) -> None:
    before = len(fake.requests)
    result = runner.invoke(app, ["audit", "gcp", *arguments], env=cli_env)
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert all(m == "GET" for m, _ in fake.requests[before:])


def test_the_html_report_maps_gcp_sources_onto_the_project(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    page = tmp_path / "audit.html"
    arguments = ["--project", "prewire-fake", "--retention-days", "30", "--format", "html"]
    result = runner.invoke(app, ["audit", "gcp", *arguments, "--output", str(page)], env=cli_env)
    assert result.exit_code == 0, result.output
    html = page.read_text()
    # One column for the project, a row per GCP evidence source, every covered cell at 100%.
    assert "<th>prewire-fake/global</th>" in html
    assert "GCE disks (VMDK)" in html and "Cloud Run logs" in html
    assert "EC2 volumes" not in html
    assert ">100%<" in html and ">0%<" not in html
