"""The Azure Resource Manager type behind each pulumi-azure-native token prewire knows, and how
its resource id is formed from the resource's inputs.

The renderer's mocks use this to give rendered resources the ids Azure would, so rules can
follow references (a diagnostic setting's `resourceUri`, a lock's `scope`) as they do in a real
deployment; the ARM template export for checkov uses the type and API version.
"""

from __future__ import annotations

from dataclasses import dataclass

from prewire.core import tokens as t


@dataclass(frozen=True)
class ArmType:
    type: str
    api_version: str
    names: tuple[str, ...]
    """Input keys naming each segment, parent first; "=x" is the literal segment x."""
    scope: str = "group"
    """"group" (in inputs.resourceGroupName), "subscription", or "input:<key>" for an extension
    resource at the scope given by that input (a resource id, a subscription, a group)."""


ARM_TYPES: dict[str, ArmType] = {
    t.AZ_STORAGE_ACCOUNT: ArmType(
        "Microsoft.Storage/storageAccounts", "2024-01-01", ("accountName",)
    ),
    t.AZ_BLOB_SERVICE: ArmType(
        "Microsoft.Storage/storageAccounts/blobServices", "2024-01-01", ("accountName", "=default")
    ),
    t.AZ_BLOB_CONTAINER: ArmType(
        "Microsoft.Storage/storageAccounts/blobServices/containers",
        "2024-01-01",
        ("accountName", "=default", "containerName"),
    ),
    t.AZ_IMMUTABILITY_POLICY: ArmType(
        "Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies",
        "2024-01-01",
        ("accountName", "=default", "containerName", "=default"),
    ),
    t.AZ_WORKSPACE: ArmType(
        "Microsoft.OperationalInsights/workspaces", "2023-09-01", ("workspaceName",)
    ),
    t.AZ_SUBSCRIPTION_DIAGNOSTICS: ArmType(
        "Microsoft.Insights/diagnosticSettings", "2021-05-01-preview", ("name",), "subscription"
    ),
    t.AZ_DIAGNOSTIC_SETTING: ArmType(
        "Microsoft.Insights/diagnosticSettings",
        "2021-05-01-preview",
        ("name",),
        "input:resourceUri",
    ),
    t.AZ_ACTIVITY_LOG_ALERT: ArmType(
        "Microsoft.Insights/activityLogAlerts", "2020-10-01", ("activityLogAlertName",)
    ),
    t.AZ_ACTION_GROUP: ArmType(
        "Microsoft.Insights/actionGroups", "2023-01-01", ("actionGroupName",)
    ),
    t.AZ_NSG: ArmType(
        "Microsoft.Network/networkSecurityGroups", "2024-05-01", ("networkSecurityGroupName",)
    ),
    t.AZ_FLOW_LOG: ArmType(
        "Microsoft.Network/networkWatchers/flowLogs",
        "2024-05-01",
        ("networkWatcherName", "flowLogName"),
    ),
    t.AZ_DEFENDER_PRICING: ArmType(
        "Microsoft.Security/pricings", "2024-01-01", ("pricingName",), "input:scopeId"
    ),
    t.AZ_SECURITY_AUTOMATION: ArmType(
        "Microsoft.Security/automations", "2023-12-01-preview", ("automationName",)
    ),
    t.AZ_EVENT_HUB_NAMESPACE: ArmType(
        "Microsoft.EventHub/namespaces", "2024-01-01", ("namespaceName",)
    ),
    t.AZ_EVENT_HUB: ArmType(
        "Microsoft.EventHub/namespaces/eventhubs", "2024-01-01", ("namespaceName", "eventHubName")
    ),
    t.AZ_EVENT_HUB_RULE: ArmType(
        "Microsoft.EventHub/namespaces/eventhubs/authorizationRules",
        "2024-01-01",
        ("namespaceName", "eventHubName", "authorizationRuleName"),
    ),
    t.AZ_BACKUP_VAULT: ArmType(
        "Microsoft.DataProtection/backupVaults", "2024-04-01", ("vaultName",)
    ),
    t.AZ_BACKUP_POLICY: ArmType(
        "Microsoft.DataProtection/backupVaults/backupPolicies",
        "2024-04-01",
        ("vaultName", "backupPolicyName"),
    ),
    t.AZ_POLICY_ASSIGNMENT: ArmType(
        "Microsoft.Authorization/policyAssignments",
        "2024-04-01",
        ("policyAssignmentName",),
        "input:scope",
    ),
    t.AZ_ROLE_DEFINITION: ArmType(
        "Microsoft.Authorization/roleDefinitions",
        "2022-04-01",
        ("roleDefinitionId",),
        "input:scope",
    ),
    t.AZ_ROLE_ASSIGNMENT: ArmType(
        "Microsoft.Authorization/roleAssignments",
        "2022-04-01",
        ("roleAssignmentName",),
        "input:scope",
    ),
    t.AZ_LOCK: ArmType("Microsoft.Authorization/locks", "2020-05-01", ("lockName",), "input:scope"),
    t.AZ_USER_IDENTITY: ArmType(
        "Microsoft.ManagedIdentity/userAssignedIdentities", "2023-01-31", ("resourceName",)
    ),
    t.AZ_MANAGED_CLUSTER: ArmType(
        "Microsoft.ContainerService/managedClusters", "2024-09-01", ("resourceName",)
    ),
    t.AZ_WEB_APP: ArmType("Microsoft.Web/sites", "2023-12-01", ("name",)),
    t.AZ_APP_SERVICE_PLAN: ArmType("Microsoft.Web/serverfarms", "2023-12-01", ("name",)),
    t.AZ_VIRTUAL_NETWORK: ArmType(
        "Microsoft.Network/virtualNetworks", "2024-05-01", ("virtualNetworkName",)
    ),
    t.AZ_VIRTUAL_MACHINE: ArmType("Microsoft.Compute/virtualMachines", "2024-07-01", ("vmName",)),
}
