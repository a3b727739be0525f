"""Azure readiness controls."""

from __future__ import annotations

from policies.catalogue import Scope, control
from prewire.core import tokens as t
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

ACCOUNT = Scope.ACCOUNT

STORES = (E.AZURE_ACTIVITY_LOG, E.AZURE_VM_DISKS, E.AKS_AUDIT_LOGS, E.AZURE_FUNCTION_LOGS)

# -- Activity Log ---------------------------------------------------------------------------------
control(
    "AZURE-LOG-001",
    "The Activity Log is exported, every category",
    S.CRITICAL,
    (E.AZURE_ACTIVITY_LOG,),
    "Azure keeps the Activity Log for 90 days; control-plane history older than that (who "
    "created a role assignment, ran a command on a VM) is gone unless it is exported.",
    "Create a subscription diagnostic setting with every category enabled (prewire's "
    "ActivityLogExport) sending to a Log Analytics workspace and a storage account.",
    prowler=("monitor_diagnostic_setting_with_appropriate_categories",),
    checkov=("CKV_AZURE_38",),
    provided_by=(t.AZURE_ACTIVITY_LOG,),
    scope=ACCOUNT,
    baseline_kinds=(t.AZ_SUBSCRIPTION_DIAGNOSTICS,),
    baseline_output="azure.workspaceId",
)
control(
    "AZURE-LOG-002",
    "The Activity Log is archived to write-once storage",
    S.HIGH,
    (E.AZURE_ACTIVITY_LOG,),
    "A workspace can be purged by its owner; a copy under a locked immutability policy cannot.",
    "Send the subscription diagnostic setting to a storage account whose insights-activity-logs "
    "container has a locked time-based immutability policy.",
    provided_by=(t.AZURE_ACTIVITY_LOG, t.AZURE_IMMUTABLE_STORAGE),
    scope=ACCOUNT,
    baseline_output="azure.auditAccountId",
)
control(
    "AZURE-LOG-003",
    "Log Analytics keeps logs for the retention period (up to 730 days)",
    S.MEDIUM,
    (E.AZURE_ACTIVITY_LOG, E.AKS_AUDIT_LOGS, E.AZURE_FUNCTION_LOGS),
    "Investigators query the workspace; 30 days, the default, rarely reaches initial access.",
    "Set retentionInDays on the workspace to the retention period (at most 730).",
    prowler=("monitor_log_analytics_retention",),
    provided_by=(t.AZURE_ACTIVITY_LOG,),
)

# -- evidence and audit stores ---------------------------------------------------------------------
control(
    "AZURE-STORE-001",
    "Evidence and audit containers are under a time-based immutability policy",
    S.CRITICAL,
    STORES,
    "Without write-once retention, an attacker or an insider with storage rights can rewrite or "
    "delete the logs and the evidence.",
    "Add a BlobContainerImmutabilityPolicy to every container of the stores, for at least the "
    "retention period (prewire's ImmutableStorage).",
    provided_by=(t.AZURE_IMMUTABLE_STORAGE,),
)
control(
    "AZURE-STORE-002",
    "The immutability policies are locked",
    S.CRITICAL,
    STORES,
    "An unlocked policy can be shortened or deleted by anyone with storage management rights; "
    "only a locked one holds against the subscription owner.",
    "Lock each container's immutability policy after creating it (prewire does so at deploy time).",
    provided_by=(t.AZURE_IMMUTABLE_STORAGE,),
)
control(
    "AZURE-STORE-003",
    "Storage accounts accept HTTPS with TLS 1.2 only",
    S.HIGH,
    STORES,
    "Logs and evidence in transit must not be readable or alterable.",
    "Set enableHttpsTrafficOnly=true and minimumTlsVersion=TLS1_2.",
    prowler=(
        "storage_secure_transfer_required_is_enabled",
        "storage_ensure_minimum_tls_version_12",
    ),
    checkov=("CKV_AZURE_3", "CKV_AZURE_44"),
    provided_by=(t.AZURE_IMMUTABLE_STORAGE, t.AZURE_FLOW_LOGS),
)
control(
    "AZURE-STORE-004",
    "The stores allow no public blob access",
    S.HIGH,
    STORES,
    "Evidence exposed to the internet is evidence lost to the attacker.",
    "Set allowBlobPublicAccess=false on the storage account.",
    prowler=("storage_blob_public_access_level_is_disabled",),
    checkov=("CKV_AZURE_190",),
    provided_by=(t.AZURE_IMMUTABLE_STORAGE, t.AZURE_FLOW_LOGS),
)
control(
    "AZURE-STORE-005",
    "The stores keep versions and soft-deleted blobs and containers",
    S.MEDIUM,
    STORES,
    "Versioning and soft delete recover what a mistake or an attacker overwrote or deleted "
    "before the immutability policy applied.",
    "Enable versioning and blob and container delete retention on the Blob service.",
    prowler=("storage_ensure_soft_delete_is_enabled",),
    provided_by=(t.AZURE_IMMUTABLE_STORAGE, t.AZURE_FLOW_LOGS),
)
control(
    "AZURE-STORE-006",
    "The stores cannot be deleted (CanNotDelete lock)",
    S.MEDIUM,
    STORES,
    "Deleting the account would take every container with it; a resource lock stops that and "
    "removing the lock is itself logged.",
    "Add a CanNotDelete management lock on each store.",
    provided_by=(t.AZURE_IMMUTABLE_STORAGE, t.AZURE_FLOW_LOGS),
)
control(
    "AZURE-STORE-007",
    "The evidence store accepts Entra ID only (no shared keys)",
    S.MEDIUM,
    (E.AZURE_VM_DISKS,),
    "An account key grants everything, forever, to whoever copies it; Entra ID access is "
    "per identity and logged.",
    "Set allowSharedKeyAccess=false on the evidence and audit stores.",
    prowler=("storage_account_key_access_disabled",),
    checkov=("CKV2_AZURE_40",),
    provided_by=(t.AZURE_IMMUTABLE_STORAGE,),
)

# -- network --------------------------------------------------------------------------------------
control(
    "AZURE-FLOW-001",
    "Every virtual network has VNet flow logs",
    S.HIGH,
    (E.AZURE_FLOW_LOGS,),
    "Flow logs show which hosts a compromised VM talked to and how much it sent; without them "
    "lateral movement and exfiltration are guesses.",
    "Create a Network Watcher flow log targeting each virtual network (prewire's FlowLogs).",
    prowler=("network_flow_log_captured_sent",),
    provided_by=(t.AZURE_FLOW_LOGS,),
)
control(
    "AZURE-FLOW-002",
    "Flow logs are version 2, kept for the retention period, with traffic analytics",
    S.MEDIUM,
    (E.AZURE_FLOW_LOGS,),
    "Version 2 records bytes and flow state; analytics in the workspace makes them searchable.",
    "Set format version 2, a retention policy of at least min(retention, 365) days and "
    "traffic analytics to the workspace.",
    checkov=("CKV_AZURE_12",),
    provided_by=(t.AZURE_FLOW_LOGS,),
)
control(
    "AZURE-NET-001",
    "A deny-all isolation network security group exists for every location in use",
    S.HIGH,
    (E.AZURE_VM_DISKS, E.AZURE_FLOW_LOGS),
    "Isolation at incident time must be a swap onto a tested group, not a design task.",
    "Create an NSG denying all inbound and outbound traffic at priority 100 in each location "
    "(prewire's IsolationGroups).",
    provided_by=(t.AZURE_ISOLATION,),
    scope=ACCOUNT,
    baseline_output="azure.isolationGroups",
)

# -- detection ------------------------------------------------------------------------------------
control(
    "AZURE-DEF-001",
    "Defender for Servers plan 2 is enabled",
    S.HIGH,
    (E.AZURE_VM_DISKS,),
    "Detection starts the response; plan 2 adds the EDR and file integrity signals.",
    "Create a Defender pricing VirtualMachines with tier Standard and sub-plan P2.",
    prowler=("defender_ensure_defender_for_server_is_on",),
    provided_by=(t.AZURE_THREAT_DETECTION,),
    scope=ACCOUNT,
    baseline_kinds=(t.AZ_DEFENDER_PRICING,),
    baseline_output="azure.defenderPlans",
)
control(
    "AZURE-DEF-002",
    "Defender for Containers is enabled",
    S.MEDIUM,
    (E.AKS_CLUSTER, E.AKS_AUDIT_LOGS),
    "Runtime threat detection for AKS; without it a compromised pod raises no alert.",
    "Create a Defender pricing Containers with tier Standard.",
    prowler=("defender_ensure_defender_for_containers_is_on",),
    provided_by=(t.AZURE_THREAT_DETECTION,),
    scope=ACCOUNT,
    baseline_kinds=(t.AZ_DEFENDER_PRICING,),
    baseline_output="azure.defenderPlans",
)
control(
    "AZURE-DEF-003",
    "Defender alerts are exported to the responder",
    S.HIGH,
    (E.AZURE_VM_DISKS,),
    "An alert that stays in the portal waits for someone to look; exported, it starts the "
    "response in minutes.",
    "Create a security automation exporting High and Medium alerts to an Event Hub (or a Logic "
    "App) the responder consumes.",
    provided_by=(t.AZURE_THREAT_DETECTION,),
    scope=ACCOUNT,
    baseline_kinds=(t.AZ_SECURITY_AUTOMATION,),
    baseline_output="azure.alertHubId",
)

# -- snapshots ------------------------------------------------------------------------------------
control(
    "AZURE-SNAP-001",
    "Disk backups go to a vault with locked immutability and soft delete always on",
    S.MEDIUM,
    (E.AZURE_VM_DISKS,),
    "Recovery points an attacker can delete are no recovery points.",
    "Create a Backup vault with immutabilitySettings Locked and softDeleteSettings AlwaysOn.",
    prowler=("recovery_vault_immutability_enabled",),
    provided_by=(t.AZURE_SNAPSHOT_AUTOMATION,),
)
control(
    "AZURE-SNAP-002",
    "Tagged disks are backed up automatically",
    S.MEDIUM,
    (E.AZURE_VM_DISKS,),
    "A point-in-time disk from before the incident shows what the attacker changed.",
    "Assign Azure's built-in 'Configure backup for Azure Disks with a given tag' policy "
    "(DeployIfNotExists) with a disk backup policy.",
    provided_by=(t.AZURE_SNAPSHOT_AUTOMATION,),
    scope=ACCOUNT,
    baseline_output="azure.backupVaults",
)

# -- workloads ------------------------------------------------------------------------------------
control(
    "AZURE-AKS-001",
    "AKS clusters send kube-audit and kube-audit-admin logs to a workspace",
    S.HIGH,
    (E.AKS_AUDIT_LOGS,),
    "The API server's audit log is the record of exec, secrets read and role bindings; AKS keeps "
    "none of it unless a diagnostic setting sends it somewhere.",
    "Create a diagnostic setting on each cluster with kube-audit and kube-audit-admin "
    "(prewire's WorkloadDiagnostics, prewire:azure.aksClusterIds).",
    checkov=("CKV_AZURE_4",),
    provided_by=(t.AZURE_DIAGNOSTICS,),
)
control(
    "AZURE-AKS-002",
    "AKS command invoke is not disabled",
    S.LOW,
    (E.AKS_CLUSTER,),
    "collect-cluster gathers the cluster's state through command invoke, without exposing the "
    "API server or installing anything.",
    "Leave apiServerAccessProfile.disableRunCommand unset or false.",
)
control(
    "AZURE-FUNC-001",
    "Function Apps send FunctionAppLogs to a workspace",
    S.MEDIUM,
    (E.AZURE_FUNCTION_LOGS,),
    "A function's own output (what it did with a malicious payload) exists only if it is kept.",
    "Create a diagnostic setting on each Function App with FunctionAppLogs "
    "(prewire:azure.functionAppIds).",
    provided_by=(t.AZURE_DIAGNOSTICS,),
)

# -- identities -----------------------------------------------------------------------------------
control(
    "AZURE-RESP-001",
    "A responder role holds every operation the Azure responders need",
    S.HIGH,
    (E.AZURE_VM_DISKS, E.AZURE_ACTIVITY_LOG, E.AKS_CLUSTER),
    "A responder that lacks one permission fails at 3 a.m.; one with too many is a target.",
    "Deploy prewire's ResponderIdentities: its custom roles are generated from the responders' "
    "declared permissions.",
    provided_by=(t.AZURE_IDENTITIES,),
    scope=ACCOUNT,
    baseline_output="azure.responderIdentityId",
)
control(
    "AZURE-RESP-002",
    "A responder Function consumes the Defender alert hub as the responder identity",
    S.MEDIUM,
    (E.AZURE_VM_DISKS, E.AZURE_ACTIVITY_LOG),
    "Exported alerts that nobody reads wait in the hub while the attacker keeps working.",
    "Build the package (`prewire package azure-responder`) and set "
    "prewire:azure.responderPackage: prewire's ResponderFunction reads the hub as the "
    "responder managed identity.",
    provided_by=(t.AZURE_RESPONSE,),
    scope=ACCOUNT,
    baseline_output="azure.responderFunctionId",
)
control(
    "AZURE-IAM-001",
    "Break glass is a group-assigned role whose use alerts",
    S.MEDIUM,
    (E.AZURE_ACTIVITY_LOG,),
    "Emergency access must exist before the emergency, and every use of it must be seen.",
    "Assign a break-glass role to an Entra group and add an Activity Log alert on its use.",
    provided_by=(t.AZURE_IDENTITIES,),
    scope=ACCOUNT,
    baseline_output="azure.breakGlassRoleId",
)
