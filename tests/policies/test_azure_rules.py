"""Every Azure control: the kit's Azure stack (plus a workload) passes it, and changing one
property fails it."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.catalogue import controls_of
from policies.findings import Status
from policies.static.engine import RULES, evaluate, load_rules
from prewire.core import tokens as t
from prewire.core.vocabulary import Cloud
from prewire.drill.azure.account import responder_package
from prewire.render import Graph, load_stack_config, render
from tests.policies.conftest import Mutation, add, change, remove, resource

ROOT = Path(__file__).resolve().parents[2]
GROUP = "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/app-prod/providers"
AKS = f"{GROUP}/Microsoft.ContainerService/managedClusters/app-aks"
FUNCTION = f"{GROUP}/Microsoft.Web/sites/app-api"
VNET = f"{GROUP}/Microsoft.Network/virtualNetworks/app-vnet"

WORKLOADS = [
    resource(t.AZ_VIRTUAL_NETWORK, "app-vnet", {"location": "westeurope"}, id=VNET),
    resource(t.AZ_MANAGED_CLUSTER, "app-aks", {"location": "westeurope"}, id=AKS),
    resource(t.AZ_WEB_APP, "app-api", {"kind": "functionapp,linux"}, id=FUNCTION),
    resource(t.AZ_VIRTUAL_MACHINE, "app-vm", {"location": "northeurope"}),
]


@pytest.fixture(scope="module")
def baseline() -> Graph:
    config = load_stack_config(ROOT / "Pulumi.example-azure.yaml", "prewire")
    config["prewire:azure.responderPackage"] = str(responder_package())
    graph = render(None, config, stack="example-azure")
    return Graph(resources=[*graph.resources, *WORKLOADS], config=graph.config)


OPEN_RULES = [
    {
        "name": "allow-all",
        "priority": 100,
        "direction": d,
        "access": "Allow",
        "protocol": "*",
        "sourceAddressPrefix": "*",
        "destinationAddressPrefix": "*",
    }
    for d in ("Inbound", "Outbound")
]

CASES: dict[str, Mutation] = {
    "AZURE-LOG-001": change(
        t.AZ_SUBSCRIPTION_DIAGNOSTICS,
        "activity-log",
        logs=[{"category": "Administrative", "enabled": True}],
    ),
    "AZURE-LOG-002": remove(t.DYNAMIC_RESOURCE, "audit-insights-activity-logs-lock"),
    "AZURE-LOG-003": change(t.AZ_WORKSPACE, "activity-workspace", retentionInDays=30),
    "AZURE-STORE-001": change(
        t.AZ_IMMUTABILITY_POLICY, "evidence-evidence", immutabilityPeriodSinceCreationInDays=7
    ),
    "AZURE-STORE-002": remove(t.DYNAMIC_RESOURCE, "evidence-evidence-lock"),
    "AZURE-STORE-003": change(t.AZ_STORAGE_ACCOUNT, "prewire-evidence", minimumTlsVersion="TLS1_0"),
    "AZURE-STORE-004": change(t.AZ_STORAGE_ACCOUNT, "flow-westeurope", allowBlobPublicAccess=True),
    "AZURE-STORE-005": change(t.AZ_BLOB_SERVICE, "audit-blob", isVersioningEnabled=False),
    "AZURE-STORE-006": remove(t.AZ_LOCK, "evidence-keep"),
    "AZURE-STORE-007": change(t.AZ_STORAGE_ACCOUNT, "prewire-evidence", allowSharedKeyAccess=True),
    "AZURE-FLOW-001": add(
        resource(t.AZ_VIRTUAL_NETWORK, "shadow-vnet", {}, id=f"{GROUP}/Microsoft.Network/x/shadow")
    ),
    "AZURE-FLOW-002": change(t.AZ_FLOW_LOG, "dr-vnet", format={"type": "JSON", "version": 1}),
    "AZURE-NET-001": change(t.AZ_NSG, "isolation-northeurope", securityRules=OPEN_RULES),
    "AZURE-DEF-001": change(t.AZ_DEFENDER_PRICING, "virtualmachines", subPlan="P1"),
    "AZURE-DEF-002": remove(t.AZ_DEFENDER_PRICING, "containers"),
    "AZURE-DEF-003": change(t.AZ_SECURITY_AUTOMATION, "export", isEnabled=False),
    "AZURE-SNAP-001": change(
        t.AZ_BACKUP_VAULT,
        "snapshots-westeurope",
        properties={"securitySettings": {"immutabilitySettings": {"state": "Unlocked"}}},
    ),
    "AZURE-SNAP-002": remove(t.AZ_POLICY_ASSIGNMENT, "tagged-disks"),
    "AZURE-AKS-001": change(
        t.AZ_DIAGNOSTIC_SETTING,
        "app-aks",
        logs=[{"category": "kube-apiserver", "enabled": True}],
    ),
    "AZURE-AKS-002": change(
        t.AZ_MANAGED_CLUSTER, "app-aks", apiServerAccessProfile={"disableRunCommand": True}
    ),
    "AZURE-FUNC-001": remove(t.AZ_DIAGNOSTIC_SETTING, "app-api"),
    "AZURE-RESP-001": change(
        t.AZ_ROLE_DEFINITION,
        "responder-role",
        permissions=[{"actions": ["Microsoft.Compute/virtualMachines/read"]}],
    ),
    "AZURE-RESP-002": change(
        t.AZ_WEB_APP,
        "response-app",
        identity={"type": "UserAssigned", "userAssignedIdentities": [f"{GROUP}/someone-else"]},
    ),
    "AZURE-IAM-001": remove(t.AZ_ACTIVITY_LOG_ALERT),
}


def statuses(graph: Graph, control_id: str) -> set[Status]:
    return {f.status for f in evaluate(graph) if f.control.id == control_id}


def test_every_azure_control_has_a_rule_and_a_case() -> None:
    load_rules()
    azure_rules = {r.control_id for r in RULES if r.control_id.startswith("AZURE-")}
    assert azure_rules == set(CASES)
    assert {c.id for c in controls_of(Cloud.AZURE) if not c.live_only} == azure_rules


@pytest.mark.parametrize("control_id", sorted(CASES))
def test_baseline_passes(baseline: Graph, control_id: str) -> None:
    assert statuses(baseline, control_id) == {Status.PASSED}


@pytest.mark.parametrize("control_id", sorted(CASES))
def test_one_changed_property_fails(baseline: Graph, control_id: str) -> None:
    assert Status.FAILED in statuses(CASES[control_id](baseline), control_id)


def test_without_a_responder_package_nobody_consumes_the_alerts() -> None:
    config = load_stack_config(ROOT / "Pulumi.example-azure.yaml", "prewire")
    graph = render(None, config, stack="example-azure")
    [finding] = [f for f in evaluate(graph) if f.control.id == "AZURE-RESP-002"]
    assert finding.status is Status.FAILED and "no responder Function App" in finding.message


def test_a_vm_in_a_location_without_an_isolation_group_fails(baseline: Graph) -> None:
    moved = change(t.AZ_VIRTUAL_MACHINE, "app-vm", location="eastus")(baseline)
    failed = [
        f for f in evaluate(moved) if f.control.id == "AZURE-NET-001" and f.status is Status.FAILED
    ]
    assert failed and "eastus" in failed[0].message


def test_an_aws_only_program_is_not_judged_on_azure(baseline: Graph) -> None:
    aws_only = Graph(resources=[r for r in baseline.resources if r.type.startswith("aws:")])
    assert not [f for f in evaluate(aws_only) if f.control.id.startswith("AZURE-")]


def test_the_crossguard_pack_judges_the_azure_stack_the_same(baseline: Graph) -> None:
    from tests.policies.test_crossguard import violations

    assert violations(baseline) == {}
    assert set(violations(CASES["AZURE-STORE-003"](baseline))) == {"AZURE-STORE-003"}
    assert set(violations(CASES["AZURE-RESP-002"](baseline))) == {"AZURE-RESP-002"}


def test_a_responder_that_can_write_role_assignments_fails(baseline: Graph) -> None:
    """roleAssignments/write is granting any role, Owner included: break glass's, not ours."""
    [role] = [
        r for r in baseline.of_type(t.AZ_ROLE_DEFINITION) if r.name.endswith("responder-role")
    ]
    [permissions] = role.get("permissions")
    widened = change(
        t.AZ_ROLE_DEFINITION,
        "responder-role",
        permissions=[
            {**permissions, "actions": [*permissions["actions"], "Microsoft.Authorization/*"]}
        ],
    )(baseline)
    [finding] = [f for f in evaluate(widened) if f.control.id == "AZURE-RESP-001"]
    assert finding.status is Status.FAILED
    assert finding.message.startswith("responder roles hold Microsoft.Authorization/*")
