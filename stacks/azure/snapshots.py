"""`prewire:azure:SnapshotAutomation`: scheduled, immutable backups of the disks tagged for it.

Per location: a Backup vault with immutability locked and soft delete always on, a daily
operational-store (snapshot) policy for managed disks, and Azure's built-in policy that protects
every disk carrying the snapshot tag with that policy (DeployIfNotExists, so disks created later
are covered too). The vault's identity reads the disks and writes snapshots into the prewire
resource group; the policy's identity deploys the protection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_azure_native.authorization as authorization
import pulumi_azure_native.dataprotection as dataprotection

from prewire.core import tokens
from stacks.azure.base import (
    BACKUP_CONTRIBUTOR,
    DISK_BACKUP_READER,
    DISK_SNAPSHOT_CONTRIBUTOR,
    built_in_role,
    child,
    subscription_scope,
    tags,
)

# "[Preview]: Configure backup for Azure Disks (Managed Disks) with a given tag to an existing
# backup vault in the same region" (Azure/azure-policy, Backup category).
DISK_BACKUP_WITH_TAG_POLICY = (
    "/providers/Microsoft.Authorization/policyDefinitions/7b5a3b1d-d2e1-4c0b-9f3b-ad0b9a2283f4"
)
DAILY = "R/2026-01-01T02:00:00+00:00/P1D"


@dataclass
class SnapshotAutomationArgs:
    subscription_id: str
    resource_group_name: pulumi.Input[str]
    resource_group_id: pulumi.Input[str]
    locations: Sequence[str]
    snapshot_tag: tuple[str, str]
    retention_days: int


def disk_policy(retention_days: int) -> dataprotection.BackupPolicyArgsDict:
    operational: dataprotection.DataStoreInfoBaseArgsDict = {
        "data_store_type": "OperationalStore",
        "object_type": "DataStoreInfoBase",
    }
    return {
        "object_type": "BackupPolicy",
        "datasource_types": ["Microsoft.Compute/disks"],
        "policy_rules": [
            {
                "name": "BackupDaily",
                "object_type": "AzureBackupRule",
                "backup_parameters": {
                    "backup_type": "Incremental",
                    "object_type": "AzureBackupParams",
                },
                "data_store": operational,
                "trigger": {
                    "object_type": "ScheduleBasedTriggerContext",
                    "schedule": {"repeating_time_intervals": [DAILY]},
                    "tagging_criteria": [
                        {
                            "is_default": True,
                            "tag_info": {"tag_name": "Default"},
                            "tagging_priority": 99,
                        }
                    ],
                },
            },
            {
                "name": "Default",
                "object_type": "AzureRetentionRule",
                "is_default": True,
                "lifecycles": [
                    {
                        "delete_after": {
                            "duration": f"P{retention_days}D",
                            "object_type": "AbsoluteDeleteOption",
                        },
                        "source_data_store": operational,
                        "target_data_store_copy_settings": [],
                    }
                ],
            },
        ],
    }


class SnapshotAutomation(pulumi.ComponentResource):
    vaults: dict[str, dataprotection.BackupVault]

    def __init__(
        self, name: str, args: SnapshotAutomationArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.AZURE_SNAPSHOT_AUTOMATION, name, None, opts)
        subscription = subscription_scope(args.subscription_id)
        self.vaults = vaults = {}
        for location in args.locations:
            vault = dataprotection.BackupVault(
                f"{name}-{location}",
                vault_name=f"prewire-disks-{location}",
                resource_group_name=args.resource_group_name,
                location=location,
                identity={"type": "SystemAssigned"},
                properties={
                    "storage_settings": [{"datastore_type": "VaultStore", "type": "ZoneRedundant"}],
                    "security_settings": {
                        "immutability_settings": {"state": "Locked"},
                        "soft_delete_settings": {
                            "state": "AlwaysOn",
                            "retention_duration_in_days": 14,
                        },
                    },
                },
                tags=tags(tokens.AZURE_SNAPSHOT_AUTOMATION),
                opts=child(self, protect=True),
            )
            policy = dataprotection.BackupPolicy(
                f"{name}-{location}-daily",
                backup_policy_name="prewire-daily",
                vault_name=vault.name,
                resource_group_name=args.resource_group_name,
                properties=disk_policy(args.retention_days),
                opts=child(self),
            )
            vault_principal = vault.identity.apply(lambda i: i.principal_id if i else "")
            for role, scope, label in (
                (DISK_BACKUP_READER, subscription, "disk-reader"),
                (DISK_SNAPSHOT_CONTRIBUTOR, args.resource_group_id, "snapshot-writer"),
            ):
                authorization.RoleAssignment(
                    f"{name}-{location}-{label}",
                    scope=scope,
                    role_definition_id=built_in_role(args.subscription_id, role),
                    principal_id=vault_principal,
                    principal_type="ServicePrincipal",
                    opts=child(self),
                )
            parameters: dict[str, authorization.ParameterValuesValueArgsDict] = {
                "vaultLocation": {"value": location},
                "backupPolicyId": {"value": policy.id},
                "snapshotResourceGroupName": {"value": args.resource_group_name},
                "inclusionTagName": {"value": args.snapshot_tag[0]},
                "inclusionTagValues": {"value": [args.snapshot_tag[1]]},
                "effect": {"value": "DeployIfNotExists"},
            }
            assignment = authorization.PolicyAssignment(
                f"{name}-{location}-tagged-disks",
                policy_assignment_name=f"prewire-disk-backup-{location}"[:64],
                scope=subscription,
                policy_definition_id=DISK_BACKUP_WITH_TAG_POLICY,
                display_name=f"prewire: back up disks tagged {'='.join(args.snapshot_tag)}",
                location=location,
                identity={"type": authorization.ResourceIdentityType.SYSTEM_ASSIGNED},
                parameters=parameters,
                opts=child(self),
            )
            authorization.RoleAssignment(
                f"{name}-{location}-remediation",
                scope=subscription,
                role_definition_id=built_in_role(args.subscription_id, BACKUP_CONTRIBUTOR),
                principal_id=assignment.identity.apply(lambda i: i.principal_id if i else ""),
                principal_type="ServicePrincipal",
                opts=child(self),
            )
            vaults[location] = vault
        self.register_outputs({"backupVaults": {k: v.id for k, v in vaults.items()}})
