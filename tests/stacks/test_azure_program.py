"""The kit's Azure program rendered whole (runpy under Pulumi mocks), Pulumi.example-azure.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from prewire.core import tokens as t
from prewire.core.vocabulary import Cloud
from prewire.render import Graph, Resource, load_stack_config, render
from responders.registry import required_permissions
from stacks import settings
from stacks.azure.identity import split
from stacks.azure.logging import ACTIVITY_LOG_CATEGORIES

ROOT = Path(__file__).resolve().parents[2]
SUBSCRIPTION = "11111111-2222-4333-8444-555555555555"


@pytest.fixture(scope="module")
def azure_config() -> dict[str, str]:
    return load_stack_config(ROOT / "Pulumi.example-azure.yaml", "prewire")


@pytest.fixture(scope="module")
def graph(azure_config: dict[str, str]) -> Graph:
    return render(None, azure_config, stack="example-azure")


def _tagged(graph: Graph, token: str, role: str) -> Resource:
    [found] = [r for r in graph.of_type(token) if (r.get("tags") or {}).get("prewire:role") == role]
    return found


def _children(graph: Graph, token: str, account: Resource) -> list[Resource]:
    return [r for r in graph.of_type(token) if r.get("accountName") == account.outputs["name"]]


@pytest.mark.parametrize(("role", "append"), [("evidence-store", False), ("audit-store", True)])
def test_stores_are_private_versioned_and_write_once_under_a_locked_policy(
    graph: Graph, role: str, append: bool
) -> None:
    account = _tagged(graph, t.AZ_STORAGE_ACCOUNT, role)
    assert account.protect
    for key, value in (
        ("enableHttpsTrafficOnly", True),
        ("minimumTlsVersion", "TLS1_2"),
        ("allowBlobPublicAccess", False),
        ("allowSharedKeyAccess", False),
    ):
        assert account.get(key) == value, key
    [service] = _children(graph, t.AZ_BLOB_SERVICE, account)
    assert service.get("isVersioningEnabled") is True
    assert service.get("deleteRetentionPolicy") == {"enabled": True, "days": 365}
    containers = _children(graph, t.AZ_BLOB_CONTAINER, account)
    policies = {
        p.get("containerName"): p for p in _children(graph, t.AZ_IMMUTABILITY_POLICY, account)
    }
    locks = {
        r.get("container_name")
        for r in graph.of_type(t.DYNAMIC_RESOURCE)
        if r.get("account_name") == account.outputs["name"]
    }
    assert containers and all(c.protect for c in containers)
    for container in containers:
        name = container.get("containerName")
        assert policies[name].get("immutabilityPeriodSinceCreationInDays") == 365
        assert policies[name].get("allowProtectedAppendWrites") is append
        assert name in locks, f"{name}: policy created but never locked"
    deletion_locks = [r for r in graph.of_type(t.AZ_LOCK) if r.get("scope") == account.id]
    assert [lock.get("level") for lock in deletion_locks] == ["CanNotDelete"]


def test_the_evidence_store_has_the_container_responders_write_to(graph: Graph) -> None:
    account = _tagged(graph, t.AZ_STORAGE_ACCOUNT, "evidence-store")
    assert [c.get("containerName") for c in _children(graph, t.AZ_BLOB_CONTAINER, account)] == [
        "evidence"
    ]


def test_every_activity_log_category_goes_to_the_workspace_and_the_audit_store(
    graph: Graph,
) -> None:
    [setting] = graph.of_type(t.AZ_SUBSCRIPTION_DIAGNOSTICS)
    assert {log["category"] for log in setting.get("logs")} == set(ACTIVITY_LOG_CATEGORIES)
    assert all(log["enabled"] for log in setting.get("logs"))
    workspace = _tagged(graph, t.AZ_WORKSPACE, "log-workspace")
    assert setting.get("workspaceId") == workspace.id
    assert setting.get("storageAccountId") == _tagged(graph, t.AZ_STORAGE_ACCOUNT, "audit-store").id
    assert workspace.get("retentionInDays") == 365


def test_every_network_gets_version_2_flow_logs_with_traffic_analytics(graph: Graph) -> None:
    logs = {r.get("targetResourceId").rsplit("/", 1)[1]: r for r in graph.of_type(t.AZ_FLOW_LOG)}
    assert set(logs) == {"app-vnet", "dr-vnet"}
    workspace = _tagged(graph, t.AZ_WORKSPACE, "log-workspace")
    for vnet, location in (("app-vnet", "westeurope"), ("dr-vnet", "northeurope")):
        flow = logs[vnet]
        assert flow.get("networkWatcherName") == f"NetworkWatcher_{location}"
        assert flow.get("format") == {"type": "JSON", "version": 2}
        analytics = flow.get("flowAnalyticsConfiguration")[
            "networkWatcherFlowAnalyticsConfiguration"
        ]
        assert analytics["enabled"] and analytics["workspaceResourceId"] == workspace.id
        [store] = [a for a in graph.of_type(t.AZ_STORAGE_ACCOUNT) if a.id == flow.get("storageId")]
        assert store.get("location") == location, "flow logs are stored in the network's location"


def test_each_location_has_a_deny_all_isolation_group(graph: Graph) -> None:
    groups = {g.get("location"): g for g in graph.of_type(t.AZ_NSG)}
    assert set(groups) == {"westeurope", "northeurope"}
    for group in groups.values():
        assert group.get("tags")["prewire:role"] == "isolation-nsg"
        rules = {r["direction"]: r for r in group.get("securityRules")}
        for direction in ("Inbound", "Outbound"):
            rule = rules[direction]
            assert (rule["access"], rule["priority"], rule["protocol"]) == ("Deny", 100, "*")
            assert rule["sourceAddressPrefix"] == rule["destinationAddressPrefix"] == "*"


def test_defender_plans_and_alert_export_to_the_hub(graph: Graph) -> None:
    plans = {p.get("pricingName"): p for p in graph.of_type(t.AZ_DEFENDER_PRICING)}
    assert plans["VirtualMachines"].get("subPlan") == "P2"
    assert plans["Containers"].get("pricingTier") == "Standard"
    [automation] = graph.of_type(t.AZ_SECURITY_AUTOMATION)
    [hub] = graph.of_type(t.AZ_EVENT_HUB)
    assert automation.get("actions")[0]["eventHubResourceId"] == hub.id
    severities = {
        rule["expectedValue"]
        for rule_set in automation.get("sources")[0]["ruleSets"]
        for rule in rule_set["rules"]
    }
    assert severities == {"High", "Medium"}


def test_tagged_disks_are_backed_up_into_locked_vaults(graph: Graph) -> None:
    vaults = graph.of_type(t.AZ_BACKUP_VAULT)
    assert {v.get("location") for v in vaults} == {"westeurope", "northeurope"}
    for vault in vaults:
        security = vault.get("properties")["securitySettings"]
        assert security["immutabilitySettings"]["state"] == "Locked"
        assert security["softDeleteSettings"]["state"] == "AlwaysOn"
    for assignment in graph.of_type(t.AZ_POLICY_ASSIGNMENT):
        parameters = assignment.get("parameters")
        assert parameters["inclusionTagName"]["value"] == "prewire:snapshot"
        assert parameters["inclusionTagValues"]["value"] == ["true"]
        assert parameters["effect"]["value"] == "DeployIfNotExists"


def test_aks_and_function_apps_keep_their_audit_logs(graph: Graph) -> None:
    by_kind = {
        r.get("resourceUri").split("/providers/")[1].split("/")[1]: r
        for r in graph.of_type(t.AZ_DIAGNOSTIC_SETTING)
    }
    aks = {log["category"] for log in by_kind["managedClusters"].get("logs")}
    assert {"kube-audit", "kube-audit-admin", "kube-apiserver"} <= aks
    assert {log["category"] for log in by_kind["sites"].get("logs")} == {"FunctionAppLogs"}
    assert all(r.get("logAnalyticsDestinationType") == "Dedicated" for r in by_kind.values())


def test_the_responder_roles_hold_exactly_what_the_responders_declare(graph: Graph) -> None:
    declared = split(required_permissions(Cloud.AZURE, releases=False))
    roles = {r.get("roleName"): r for r in graph.of_type(t.AZ_ROLE_DEFINITION)}
    responder = roles["prewire responder"].get("permissions")[0]
    assert sorted(responder["actions"]) == declared.subscription
    assert "Microsoft.Network/networkInterfaces/write" in declared.subscription
    evidence = roles["prewire responder (evidence)"].get("permissions")[0]
    assert sorted(evidence["dataActions"]) == declared.evidence_data
    assert any(a.endswith("/blobs/write") for a in declared.evidence_data)
    account = _tagged(graph, t.AZ_STORAGE_ACCOUNT, "evidence-store")
    assert _assigned_at(graph, roles["prewire responder (evidence)"]) == {account.id}
    assert declared.evidence == sorted(set(declared.evidence))


def _assigned_at(graph: Graph, role: Any) -> set[str]:
    assignments = [
        a for a in graph.of_type(t.AZ_ROLE_ASSIGNMENT) if a.get("roleDefinitionId") == role.id
    ]
    assert len(assignments) == 2  # the managed identity and the configured principal
    return {a.get("scope") for a in assignments}


def test_the_responder_may_join_only_prewires_nsgs_and_grant_no_role(graph: Graph) -> None:
    """Joining an NSG is authorized on the NSG: granted on the isolation NSGs' resource group.
    Role assignment writes (granting any role, Owner included) and joining any NSG are what a
    release needs: break glass holds them, the responder does not."""
    roles = {r.get("roleName"): r for r in graph.of_type(t.AZ_ROLE_DEFINITION)}
    join = "Microsoft.Network/networkSecurityGroups/join/action"
    write = "Microsoft.Authorization/roleAssignments/write"
    isolation = roles["prewire responder (isolation)"]
    assert isolation.get("permissions")[0]["actions"] == [join]
    [group_scope] = _assigned_at(graph, isolation)
    nsgs = [r for r in graph.of_type(t.AZ_NSG) if "isolation" in r.name]
    assert nsgs and all(
        str(r.id).lower().startswith(f"{group_scope}/providers/".lower()) for r in nsgs
    )
    responder_roles = [r for name, r in roles.items() if name.startswith("prewire responder")]
    held = {a for r in responder_roles for p in r.get("permissions") for a in p["actions"]}
    assert (
        write not in held
        and join not in roles["prewire responder"].get("permissions")[0]["actions"]
    )
    glass = set(roles["prewire break glass"].get("permissions")[0]["actions"])
    assert {write, join} <= glass


def test_break_glass_is_a_group_and_its_use_alerts(graph: Graph) -> None:
    roles = {r.get("roleName"): r for r in graph.of_type(t.AZ_ROLE_DEFINITION)}
    [assignment] = [
        a
        for a in graph.of_type(t.AZ_ROLE_ASSIGNMENT)
        if a.get("roleDefinitionId") == roles["prewire break glass"].id
    ]
    assert assignment.get("principalType") == "Group"
    assert assignment.get("principalId") == "66666666-7777-4888-8999-000000000000"
    [alert] = graph.of_type(t.AZ_ACTIVITY_LOG_ALERT)
    callers = alert.get("condition")["allOf"][1]["anyOf"]
    assert callers == [{"field": "caller", "equals": "breakglass-1@example.onmicrosoft.com"}]
    [group] = graph.of_type(t.AZ_ACTION_GROUP)
    assert group.get("emailReceivers")[0]["emailAddress"] == "secops@example.com"


def test_everything_lands_in_the_configured_subscription(graph: Graph) -> None:
    [provider] = graph.of_type("pulumi:providers:azure-native")
    assert provider.get("subscriptionId") == SUBSCRIPTION
    arm = [r for r in graph.resources if r.type.startswith("azure-native:")]
    assert arm and all(str(r.id).startswith(f"/subscriptions/{SUBSCRIPTION}") for r in arm)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"azure.subscriptionId": None}, "prewire:azure.subscriptionId: required"),
        ({"azure.location": "West Europe"}, "an Azure location like westeurope"),
        ({"azure.breakGlassGroupObjectId": "admins"}, "an Entra group object id"),
        (
            {
                "azure.networks": '["westeurope=/subscriptions/99999999-2222-4333-8444-'
                '555555555555/resourceGroups/x/providers/Microsoft.Network/virtualNetworks/v"]'
            },
            "outside subscription",
        ),
        ({"azure.networks": '["app-vnet"]'}, "location=/subscriptions/"),
        ({"azure.responderPackage": "/no/such/package"}, "prewire package azure-responder"),
    ],
)
def test_bad_azure_config_is_refused_with_every_problem_named(
    azure_config: dict[str, str], changes: dict[str, str | None], message: str
) -> None:
    raw: dict[str, str | None] = {
        k.split(":", 1)[1]: v for k, v in azure_config.items() if k.startswith("prewire:")
    }
    raw.update(changes)
    with pytest.raises(settings.SettingsError, match=message):
        settings.parse(raw)
