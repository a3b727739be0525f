"""Every GCP control: the kit's GCP stack (plus a workload) passes it, and changing one
property fails it."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.catalogue import controls_of
from policies.findings import Status
from policies.static.engine import RULES, evaluate, load_rules
from prewire.core import tokens as t
from prewire.core.vocabulary import Cloud
from prewire.render import Graph, load_stack_config, render
from tests.policies.conftest import Mutation, add, change, remove, resource

ROOT = Path(__file__).resolve().parents[2]
PAYMENTS = "projects/acme-payments-prod/global/networks/payments-vpc"

WORKLOADS = [
    resource(
        t.GCP_GKE_CLUSTER,
        "payments-gke",
        {
            "name": "payments-gke",
            "network": PAYMENTS,
            "loggingConfig": {
                "enableComponents": [
                    "SYSTEM_COMPONENTS",
                    "APISERVER",
                    "CONTROLLER_MANAGER",
                    "SCHEDULER",
                    "WORKLOADS",
                ]
            },
        },
    ),
    resource(
        t.GCP_INSTANCE,
        "payments-vm",
        {"networkInterfaces": [{"network": PAYMENTS}], "zone": "europe-west1-b"},
    ),
]


@pytest.fixture(scope="module")
def baseline() -> Graph:
    config = load_stack_config(ROOT / "Pulumi.example-gcp.yaml", "prewire")
    graph = render(None, config, stack="example-gcp")
    return Graph(resources=[*graph.resources, *WORKLOADS], config=graph.config)


CASES: dict[str, Mutation] = {
    "GCP-LOG-001": change(
        t.GCP_AUDIT_CONFIG, "data-access", auditLogConfigs=[{"logType": "ADMIN_READ"}]
    ),
    "GCP-LOG-002": change(
        t.GCP_BUCKET, "buckets-audit", retentionPolicy={"retentionPeriod": "86400"}
    ),
    "GCP-LOG-003": change(t.GCP_LOG_BUCKET, "workloads", locked=False),
    "GCP-STORE-001": change(
        t.GCP_BUCKET,
        "buckets-evidence",
        retentionPolicy={"retentionPeriod": "31536000", "isLocked": False},
    ),
    "GCP-STORE-002": change(t.GCP_BUCKET, "buckets-evidence", publicAccessPrevention="inherited"),
    "GCP-STORE-003": change(t.GCP_BUCKET, "buckets-audit", versioning={"enabled": False}),
    "GCP-FLOW-001": remove(t.GCP_FLOW_LOGS_CONFIG, "payments-vpc"),
    "GCP-NET-001": change(t.GCP_FIREWALL, "payments-vpc-egress", priority=1000),
    "GCP-SNAP-001": remove(t.DYNAMIC_RESOURCE, "labelled-disks"),
    "GCP-GKE-001": change(
        t.GCP_GKE_CLUSTER, "payments-gke", loggingConfig={"enableComponents": ["WORKLOADS"]}
    ),
    "GCP-DET-001": remove(t.GCP_SUBSCRIPTION),
    "GCP-RESP-001": change(
        t.GCP_CUSTOM_ROLE, "responder-role", permissions=["compute.instances.get"]
    ),
    "GCP-IAM-001": change(t.GCP_PROJECT_IAM_MEMBER, "break-glass-0", condition=None),
}


def statuses(graph: Graph, control_id: str) -> set[Status]:
    return {f.status for f in evaluate(graph) if f.control.id == control_id}


def test_every_gcp_control_has_a_rule_and_a_case() -> None:
    load_rules()
    gcp_rules = {r.control_id for r in RULES if r.control_id.startswith("GCP-")}
    assert gcp_rules == set(CASES)
    assert {c.id for c in controls_of(Cloud.GCP) if not c.live_only} == gcp_rules


@pytest.mark.parametrize("control_id", sorted(CASES))
def test_baseline_passes(baseline: Graph, control_id: str) -> None:
    assert statuses(baseline, control_id) == {Status.PASSED}


@pytest.mark.parametrize("control_id", sorted(CASES))
def test_one_changed_property_fails(baseline: Graph, control_id: str) -> None:
    assert Status.FAILED in statuses(CASES[control_id](baseline), control_id)


def test_a_network_in_use_without_quarantine_rules_fails(baseline: Graph) -> None:
    other = "projects/acme-payments-prod/global/networks/shadow-vpc"
    moved = add(resource(t.GCP_INSTANCE, "shadow-vm", {"networkInterfaces": [{"network": other}]}))(
        baseline
    )
    failed = {
        f.control.id: f.message
        for f in evaluate(moved)
        if f.status is Status.FAILED and "shadow-vpc" in f.message
    }
    assert set(failed) == {"GCP-FLOW-001", "GCP-NET-001"}


def test_a_gcp_only_program_is_not_judged_on_aws_or_azure(baseline: Graph) -> None:
    clouds = {f.control.cloud for f in evaluate(baseline)}
    assert clouds == {Cloud.GCP}


def test_the_crossguard_pack_judges_the_gcp_stack_the_same(baseline: Graph) -> None:
    from tests.policies.test_crossguard import violations

    assert violations(baseline) == {}
    assert set(violations(CASES["GCP-STORE-001"](baseline))) == {"GCP-STORE-001"}
    assert set(violations(CASES["GCP-NET-001"](baseline))) == {"GCP-NET-001"}
