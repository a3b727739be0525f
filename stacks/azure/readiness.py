"""`prewire:azure:ForensicReadiness`: everything an Azure subscription needs before an incident.

All of it lives in one resource group (the stack's, created here) in the configured
subscription, through an explicit provider so nothing lands elsewhere by accident.
"""

from __future__ import annotations

import pulumi
import pulumi_azure_native.resources as resources
from pulumi_azure_native.provider import Provider

from prewire.core import tokens
from responders.azure.discovery import EVIDENCE_CONTAINER, Role
from stacks.azure.base import child, tags
from stacks.azure.detection import DEFENDER_PLANS, ThreatDetection, ThreatDetectionArgs
from stacks.azure.diagnostics import WorkloadDiagnostics, WorkloadDiagnosticsArgs, log_containers
from stacks.azure.flowlogs import FlowLogs, FlowLogsArgs
from stacks.azure.identity import ResponderIdentities, ResponderIdentitiesArgs
from stacks.azure.isolation import IsolationGroups, IsolationGroupsArgs
from stacks.azure.logging import ACTIVITY_LOG_CONTAINER, ActivityLogExport, ActivityLogExportArgs
from stacks.azure.response import ResponderFunction, ResponderFunctionArgs
from stacks.azure.snapshots import SnapshotAutomation, SnapshotAutomationArgs
from stacks.azure.storage import ImmutableStorage, ImmutableStorageArgs
from stacks.settings import AzureSettings, ReadinessSettings


class AzureReadiness(pulumi.ComponentResource):
    outputs: dict[str, pulumi.Input[object]]

    def __init__(
        self,
        name: str,
        settings: ReadinessSettings,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        azure = settings.azure
        assert azure is not None  # parse() fills it whenever Azure is enabled
        provider = Provider(
            f"{name}-provider", subscription_id=azure.subscription_id, location=azure.location
        )
        super().__init__(
            tokens.AZURE_READINESS,
            name,
            None,
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(providers=[provider])),
        )
        group = resources.ResourceGroup(
            f"{name}-group",
            resource_group_name=azure.resource_group,
            location=azure.location,
            tags=tags(tokens.AZURE_READINESS),
            opts=child(self, protect=True),
        )
        here = pulumi.ResourceOptions(parent=self)
        audit = self._store(f"{name}-audit", azure, settings, group, Role.AUDIT_STORE.value, here)
        evidence = self._store(
            f"{name}-evidence", azure, settings, group, Role.EVIDENCE_STORE.value, here
        )
        logs = ActivityLogExport(
            f"{name}-activity",
            ActivityLogExportArgs(
                resource_group_name=group.name,
                location=azure.location,
                retention_days=settings.retention_days,
                audit_account_id=audit.account.id,
            ),
            here,
        )
        if azure.networks:
            FlowLogs(
                f"{name}-flow",
                FlowLogsArgs(
                    subscription_id=azure.subscription_id,
                    resource_group_name=group.name,
                    networks=azure.networks,
                    retention_days=settings.retention_days,
                    workspace_id=logs.workspace.id,
                    workspace_customer_id=logs.workspace.customer_id,
                    workspace_location=azure.location,
                ),
                here,
            )
        isolation = IsolationGroups(
            f"{name}-isolation",
            IsolationGroupsArgs(resource_group_name=group.name, locations=azure.locations),
            here,
        )
        detection = ThreatDetection(
            f"{name}-detection",
            ThreatDetectionArgs(
                subscription_id=azure.subscription_id,
                resource_group_name=group.name,
                location=azure.location,
                manage_defender_plans=azure.manage_defender_plans,
            ),
            here,
        )
        snapshots = SnapshotAutomation(
            f"{name}-snapshots",
            SnapshotAutomationArgs(
                subscription_id=azure.subscription_id,
                resource_group_name=group.name,
                resource_group_id=group.id,
                locations=azure.locations,
                snapshot_tag=azure.snapshot_tag,
                retention_days=azure.snapshot_retention_days,
            ),
            here,
        )
        WorkloadDiagnostics(
            f"{name}-diagnostics",
            WorkloadDiagnosticsArgs(
                aks_cluster_ids=azure.aks_cluster_ids,
                function_app_ids=azure.function_app_ids,
                workspace_id=logs.workspace.id,
                audit_account_id=audit.account.id,
            ),
            here,
        )
        identities = ResponderIdentities(
            f"{name}-identities",
            ResponderIdentitiesArgs(
                subscription_id=azure.subscription_id,
                resource_group_name=group.name,
                location=azure.location,
                evidence_account_id=evidence.account.id,
                break_glass_group_object_id=azure.break_glass_group_object_id,
                break_glass_callers=azure.break_glass_callers,
                responder_principal_ids=azure.responder_principal_ids,
                alert_email=settings.alert_email,
            ),
            here,
        )
        if azure.responder_package:
            function = ResponderFunction(
                f"{name}-response",
                ResponderFunctionArgs(
                    subscription_id=azure.subscription_id,
                    resource_group_name=group.name,
                    location=azure.location,
                    package=azure.responder_package,
                    identity_id=identities.responder.id,
                    identity_client_id=identities.responder.client_id,
                    identity_principal_id=identities.responder.principal_id,
                    hub_id=detection.hub.id,
                    hub_name=detection.hub.name,
                    hub_namespace=detection.namespace.name,
                    workspace_id=logs.workspace.id,
                    audit_account_id=audit.account.id,
                    auto_contain=azure.auto_contain,
                ),
                here,
            )
        else:
            pulumi.log.warn(
                "prewire:azure.responderPackage is not set: Defender alerts reach the Event Hub "
                "but no responder Function consumes them (AZURE-RESP-002)."
            )
        self.outputs = {
            "resourceGroup": group.name,
            "auditAccountId": audit.account.id,
            "evidenceAccountId": evidence.account.id,
            "workspaceId": logs.workspace.id,
            "isolationGroups": {k: g.id for k, g in isolation.groups.items()},
            "alertHubId": detection.hub.id,
            "defenderPlans": [plan for plan, _ in DEFENDER_PLANS]
            if azure.manage_defender_plans
            else [],
            "backupVaults": {k: v.id for k, v in snapshots.vaults.items()},
            "responderIdentityId": identities.responder.id,
            "breakGlassRoleId": identities.break_glass_role.id,
        }
        if azure.responder_package:
            self.outputs["responderFunctionId"] = function.app.id
        self.register_outputs(self.outputs)

    def _store(
        self,
        name: str,
        azure: AzureSettings,
        settings: ReadinessSettings,
        group: resources.ResourceGroup,
        role: str,
        opts: pulumi.ResourceOptions,
    ) -> ImmutableStorage:
        logs = role != Role.EVIDENCE_STORE.value
        return ImmutableStorage(
            name,
            ImmutableStorageArgs(
                subscription_id=azure.subscription_id,
                resource_group_name=group.name,
                location=azure.location,
                retention_days=settings.retention_days,
                containers=[ACTIVITY_LOG_CONTAINER, *log_containers()]
                if logs
                else [EVIDENCE_CONTAINER],
                role=role,
                append_writes=logs,
                customer_managed_key_uri=azure.customer_managed_key_uri,
            ),
            opts,
        )
