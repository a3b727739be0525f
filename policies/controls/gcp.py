"""GCP readiness controls."""

from __future__ import annotations

from policies.catalogue import Scope, control
from prewire.core import tokens as t
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

ACCOUNT = Scope.ACCOUNT

# -- Cloud Audit Logs -----------------------------------------------------------------------------
control(
    "GCP-LOG-001",
    "Data Access audit logs are on for all services (ADMIN_READ, DATA_READ, DATA_WRITE)",
    S.CRITICAL,
    (E.GCP_AUDIT_LOGS,),
    "GCP writes Admin Activity only; who read a secret, listed a bucket or downloaded an "
    "object is never recorded unless Data Access logs are on before the incident.",
    "Set an IAM audit config for allServices with ADMIN_READ, DATA_READ and DATA_WRITE "
    "(prewire's AuditLogging).",
    provided_by=(t.GCP_AUDIT_LOGGING,),
    scope=ACCOUNT,
    baseline_kinds=(t.GCP_AUDIT_CONFIG,),
    baseline_output="gcp.dataAccessLogs",
)
control(
    "GCP-LOG-002",
    "Audit logs are exported to a bucket under a locked retention policy",
    S.HIGH,
    (E.GCP_AUDIT_LOGS,),
    "Cloud Logging keeps Data Access logs 30 days and Admin Activity 400; a project owner can "
    "delete log buckets. A locked bucket keeps every entry for the retention period.",
    "Create a project sink of cloudaudit.googleapis.com logs to a bucket whose retention policy "
    "is locked, and let only the sink's writer identity create objects in it.",
    provided_by=(t.GCP_AUDIT_LOGGING, t.GCP_BUCKETS),
    scope=ACCOUNT,
    baseline_output="gcp.auditBucket",
)
control(
    "GCP-LOG-003",
    "Cloud Run and GKE logs are kept for the retention period in a locked log bucket",
    S.MEDIUM,
    (E.CLOUD_RUN_LOGS, E.GKE_LOGS),
    "The _Default bucket keeps workload logs 30 days: an intrusion found later has no logs.",
    "Route cloud_run_revision and k8s_* logs with a sink to a locked log bucket with the "
    "retention period (prewire's AuditLogging).",
    provided_by=(t.GCP_AUDIT_LOGGING,),
    scope=ACCOUNT,
    baseline_output="gcp.workloadLogBucket",
)

# -- buckets --------------------------------------------------------------------------------------
control(
    "GCP-STORE-001",
    "Audit and evidence buckets have a locked retention policy of the retention period",
    S.HIGH,
    (E.GCP_AUDIT_LOGS, E.GCE_DISKS),
    "An unlocked retention policy can be removed by whoever controls the project, attacker "
    "included; Bucket Lock makes every object undeletable for the period.",
    "Set retention_policy with the retention period and is_locked on the audit and evidence "
    "buckets (prewire's LockedBuckets).",
    provided_by=(t.GCP_BUCKETS,),
    scope=ACCOUNT,
    baseline_output="gcp.evidenceBucket",
)
control(
    "GCP-STORE-002",
    "Audit and evidence buckets are private: uniform access, public access prevention enforced",
    S.HIGH,
    (E.GCP_AUDIT_LOGS, E.GCE_DISKS),
    "Object ACLs and public grants are how evidence leaks; uniform access leaves IAM as the only "
    "way in.",
    "Enable uniform bucket-level access and set public access prevention to enforced.",
    checkov=("CKV_GCP_29", "CKV_GCP_114"),
    provided_by=(t.GCP_BUCKETS,),
)
control(
    "GCP-STORE-003",
    "Audit and evidence buckets keep object versions",
    S.MEDIUM,
    (E.GCP_AUDIT_LOGS, E.GCE_DISKS),
    "Versions keep every write of an object name, so a replaced object is still there.",
    "Enable versioning on the audit and evidence buckets.",
    checkov=("CKV_GCP_78",),
    provided_by=(t.GCP_BUCKETS,),
)

# -- network --------------------------------------------------------------------------------------
control(
    "GCP-FLOW-001",
    "Every covered network has VPC flow logs with all metadata",
    S.HIGH,
    (E.GCP_FLOW_LOGS,),
    "Flow logs are the only record of where a compromised VM connected, and they exist only "
    "from the moment they are switched on.",
    "Create a VPC Flow Logs configuration for each network (prewire's FlowLogs) or enable "
    "log_config with INCLUDE_ALL_METADATA on each of its subnets.",
    checkov=("CKV_GCP_26",),
    provided_by=(t.GCP_FLOW_LOGS,),
)
control(
    "GCP-NET-001",
    "Every covered network has deny-all quarantine firewall rules for the quarantine tag",
    S.HIGH,
    (E.GCE_DISKS, E.GCP_FLOW_LOGS),
    "Isolation at incident time must be adding a tag to a VM, not writing firewall rules.",
    "Create ingress and egress rules denying all protocols at priority 0 for instances tagged "
    "prewire-quarantine in each network (prewire's QuarantineFirewall).",
    provided_by=(t.GCP_QUARANTINE,),
    scope=ACCOUNT,
    baseline_output="gcp.quarantineNetworks",
)

# -- snapshots, GKE, detection --------------------------------------------------------------------
control(
    "GCP-SNAP-001",
    "Labelled disks are on a daily snapshot schedule that keeps snapshots of deleted disks",
    S.MEDIUM,
    (E.GCE_DISKS,),
    "A point-in-time copy from before the intrusion shows what the attacker changed.",
    "Create a snapshot schedule resource policy with KEEP_AUTO_SNAPSHOTS and attach it to the "
    "labelled disks (prewire's SnapshotSchedule).",
    provided_by=(t.GCP_SNAPSHOTS,),
    scope=ACCOUNT,
    baseline_output="gcp.snapshotPolicy",
)
control(
    "GCP-GKE-001",
    "GKE clusters log system components, API server, controller manager, scheduler and workloads",
    S.HIGH,
    (E.GKE_LOGS, E.GKE_CLUSTER),
    "GKE logs system components and workloads by default: without the API server's logs "
    "nobody can tell who exec'd into a pod.",
    "Set logging_config.enable_components to SYSTEM_COMPONENTS, APISERVER, CONTROLLER_MANAGER, "
    "SCHEDULER and WORKLOADS (prewire's GkeLogging does it for clusters in the program).",
    checkov=("CKV_GCP_1",),
    provided_by=(t.GCP_GKE_LOGGING,),
)
control(
    "GCP-DET-001",
    "High and critical Security Command Center findings are published to the responder",
    S.HIGH,
    (E.GCE_DISKS, E.GCP_AUDIT_LOGS),
    "Detection starts the response; a finding nobody is told about waits for a human.",
    "Create a Security Command Center notification config streaming active HIGH and CRITICAL "
    "findings to a Pub/Sub topic with a subscription for the responder.",
    provided_by=(t.GCP_DETECTION,),
    scope=ACCOUNT,
    baseline_kinds=(t.GCP_SCC_PROJECT_NOTIFICATION, t.GCP_SCC_ORG_NOTIFICATION),
    baseline_output="gcp.findingTopic",
)

# -- identities -----------------------------------------------------------------------------------
control(
    "GCP-RESP-001",
    "A responder service account holds a custom role with every permission the GCP responders need",
    S.HIGH,
    (E.GCE_DISKS, E.GCP_AUDIT_LOGS, E.GKE_CLUSTER),
    "A responder that lacks one permission fails at 3 a.m.; one with too many is a target.",
    "Deploy prewire's ResponderIdentities: its custom role is generated from the responders' "
    "declared permissions.",
    provided_by=(t.GCP_IDENTITIES,),
    scope=ACCOUNT,
    baseline_output="gcp.responderServiceAccount",
)
control(
    "GCP-IAM-001",
    "Break glass is a time-bounded conditional binding for a group, and its use alerts",
    S.MEDIUM,
    (E.GCP_AUDIT_LOGS,),
    "Emergency access must exist before the emergency, expire by itself, and be seen.",
    "Bind the break-glass role to a group under a request.time condition and alert on changes "
    "of that binding (prewire's ResponderIdentities).",
    provided_by=(t.GCP_IDENTITIES,),
    scope=ACCOUNT,
    baseline_output="gcp.breakGlassGroup",
)
