"""AWS readiness controls."""

from __future__ import annotations

from policies.catalogue import Scope, control
from prewire.core import tokens as t
from prewire.core.vocabulary import EvidenceSource as E
from prewire.core.vocabulary import Severity as S

ACCOUNT = Scope.ACCOUNT

TRAIL_SOURCES = (E.CLOUDTRAIL,)
STORE_SOURCES = (
    E.CLOUDTRAIL,
    E.VPC_FLOW_LOGS,
    E.AWS_CONFIG_HISTORY,
    E.EC2_MEMORY,
    E.EC2_METADATA,
    E.LAMBDA_VERSIONS,
    E.EKS_AUDIT_LOGS,
    E.ECS_TASK_FILES,
)

# -- CloudTrail -----------------------------------------------------------------------------------
control(
    "AWS-TRAIL-001",
    "A multi-region CloudTrail trail is logging",
    S.CRITICAL,
    TRAIL_SOURCES,
    "Without a trail covering every region, API activity in an unused region (where attackers "
    "like to work) is never recorded.",
    "Create a trail with is_multi_region_trail=true and logging enabled (prewire's AuditTrail).",
    prowler=("cloudtrail_multi_region_enabled",),
    checkov=("CKV_AWS_67",),
    provided_by=(t.AWS_AUDIT_TRAIL,),
    scope=ACCOUNT,
    baseline_kinds=(t.CLOUDTRAIL,),
    baseline_output="aws.trailArn",
)
control(
    "AWS-TRAIL-002",
    "CloudTrail log file validation is enabled",
    S.HIGH,
    TRAIL_SOURCES,
    "Digest files prove in court that delivered logs were not altered or deleted.",
    "Set enable_log_file_validation=true on the trail.",
    prowler=("cloudtrail_log_file_validation_enabled",),
    checkov=("CKV_AWS_36",),
    provided_by=(t.AWS_AUDIT_TRAIL,),
)
control(
    "AWS-TRAIL-003",
    "CloudTrail logs are encrypted with a customer-managed KMS key",
    S.HIGH,
    TRAIL_SOURCES,
    "A dedicated key lets you restrict and audit who can read the audit logs.",
    "Set kms_key_id on the trail to a CMK whose policy lets CloudTrail encrypt.",
    prowler=("cloudtrail_kms_encryption_enabled",),
    checkov=("CKV_AWS_35",),
    provided_by=(t.AWS_AUDIT_TRAIL,),
)
control(
    "AWS-TRAIL-004",
    "CloudTrail delivers to CloudWatch Logs",
    S.MEDIUM,
    TRAIL_SOURCES,
    "Delivery to CloudWatch Logs enables alerting and a second copy investigators can query.",
    "Set cloud_watch_logs_group_arn and cloud_watch_logs_role_arn on the trail.",
    prowler=("cloudtrail_cloudwatch_logging_enabled",),
    checkov=("CKV2_AWS_10",),
    provided_by=(t.AWS_AUDIT_TRAIL,),
)
control(
    "AWS-TRAIL-005",
    "CloudTrail records S3 object-level events",
    S.MEDIUM,
    TRAIL_SOURCES,
    "Management events do not show who read or wrote which object; data events do, "
    "including access to the evidence and audit stores themselves.",
    "Add an advanced event selector for AWS::S3::Object (at least the audit and evidence buckets).",
    prowler=("cloudtrail_s3_dataevents_read_enabled", "cloudtrail_s3_dataevents_write_enabled"),
    provided_by=(t.AWS_AUDIT_TRAIL,),
)
control(
    "AWS-TRAIL-006",
    "CloudTrail records Lambda invocations",
    S.MEDIUM,
    (E.CLOUDTRAIL, E.LAMBDA_LOGS),
    "Invoke data events show who ran a function and when, which its own logs do not.",
    "Add an advanced event selector for AWS::Lambda::Function data events.",
    provided_by=(t.AWS_AUDIT_TRAIL,),
)
control(
    "AWS-TRAIL-007",
    "CloudTrail includes global service events",
    S.HIGH,
    TRAIL_SOURCES,
    "IAM and STS activity (new users, keys, role assumptions) is a global service event.",
    "Set include_global_service_events=true.",
    provided_by=(t.AWS_AUDIT_TRAIL,),
)

# -- audit and evidence stores --------------------------------------------------------------------
control(
    "AWS-STORE-001",
    "A locked evidence store exists",
    S.CRITICAL,
    STORE_SOURCES,
    "Responders need a place where collected evidence cannot be altered or deleted, by "
    "anyone, for the retention period.",
    "Create an S3 bucket with Object Lock in COMPLIANCE mode and a default retention "
    "(prewire's LockedBucket, purpose evidence).",
    prowler=("s3_bucket_object_lock",),
    checkov=("CKV_AWS_143",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
    scope=ACCOUNT,
    baseline_output="aws.evidenceBucket",
)
control(
    "AWS-STORE-002",
    "Audit and evidence stores are locked in COMPLIANCE mode for the retention period",
    S.HIGH,
    STORE_SOURCES,
    "GOVERNANCE mode and short retention let a privileged attacker delete logs that prove "
    "what they did.",
    "Object Lock default retention: mode COMPLIANCE, days >= prewire:retentionDays.",
    prowler=("s3_bucket_object_lock",),
    checkov=("CKV_AWS_143",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
)
control(
    "AWS-STORE-003",
    "Audit and evidence stores are versioned",
    S.HIGH,
    STORE_SOURCES,
    "Versioning keeps every write; overwrites and delete markers never lose a version.",
    "Enable bucket versioning.",
    prowler=("s3_bucket_object_versioning",),
    checkov=("CKV_AWS_21",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
)
control(
    "AWS-STORE-004",
    "Audit and evidence stores use SSE-KMS with a customer-managed key",
    S.HIGH,
    STORE_SOURCES,
    "A dedicated key limits who can read evidence and leaves a KMS trail of every read.",
    "Default encryption aws:kms with the forensic CMK.",
    prowler=("s3_bucket_kms_encryption",),
    checkov=("CKV_AWS_145",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
)
control(
    "AWS-STORE-005",
    "Audit and evidence stores block all public access",
    S.HIGH,
    STORE_SOURCES,
    "Evidence and logs reveal the environment to anyone who can read them.",
    "Add a public access block with all four settings true.",
    prowler=("s3_bucket_level_public_access_block",),
    checkov=("CKV2_AWS_6",),
    provided_by=(t.AWS_LOCKED_BUCKET, t.AWS_ACCESS_LOG_BUCKET),
)
control(
    "AWS-STORE-006",
    "Audit and evidence stores refuse unencrypted transport",
    S.MEDIUM,
    STORE_SOURCES,
    "A bucket policy denying aws:SecureTransport=false keeps evidence off plain-text connections.",
    "Add a Deny statement for s3:* when aws:SecureTransport is false.",
    prowler=("s3_bucket_secure_transport_policy",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
)
control(
    "AWS-STORE-007",
    "No lifecycle rule expires audit or access logs before the retention period",
    S.HIGH,
    (*TRAIL_SOURCES, E.VPC_FLOW_LOGS),
    "Anti-forensics by automation: a lifecycle rule silently destroys the logs an "
    "investigation needs: the audit store's, and those of every bucket a workload sends its "
    "access, load balancer, CDN or flow logs to.",
    "Remove expiration rules on audit and log buckets or set them beyond the retention period.",
    provided_by=(t.AWS_LOCKED_BUCKET,),
)
control(
    "AWS-STORE-008",
    "Audit and evidence stores have server access logging",
    S.LOW,
    STORE_SOURCES,
    "Access logs show who read evidence, including reads CloudTrail data events would not cover.",
    "Log to a separate bucket (an Object Lock bucket cannot receive access logs).",
    prowler=("s3_bucket_server_access_logging_enabled",),
    checkov=("CKV_AWS_18",),
    provided_by=(t.AWS_LOCKED_BUCKET,),
)

# -- network --------------------------------------------------------------------------------------
control(
    "AWS-FLOW-001",
    "Every VPC has flow logs",
    S.HIGH,
    (E.VPC_FLOW_LOGS,),
    "Flow logs are the only record of which hosts an intruder talked to.",
    "Add a flow log for each VPC (prewire:aws.vpcIds).",
    prowler=("vpc_flow_logs_enabled",),
    checkov=("CKV2_AWS_11",),
    provided_by=(t.AWS_FLOW_LOGS,),
)
control(
    "AWS-FLOW-002",
    "Flow logs capture all traffic with extended fields",
    S.MEDIUM,
    (E.VPC_FLOW_LOGS,),
    "ACCEPT-only or REJECT-only logs miss half the story; default fields miss the instance, "
    "packet-level addresses behind NAT and direction.",
    "traffic_type=ALL and a log_format with instance-id, pkt-srcaddr, pkt-dstaddr and "
    "flow-direction.",
    provided_by=(t.AWS_FLOW_LOGS,),
)
control(
    "AWS-ISO-001",
    "Every VPC has a pre-created isolation security group",
    S.HIGH,
    (E.EC2_MEMORY, E.EC2_VOLUMES),
    "Designing a no-traffic group during an incident wastes the minutes that matter.",
    "Create a security group with no ingress and no egress rules in each VPC (prewire's "
    "IsolationGroups).",
    provided_by=(t.AWS_ISOLATION,),
    scope=ACCOUNT,
    baseline_output="aws.isolationGroups",
)
control(
    "AWS-ISO-002",
    "Every VPC has a conversion security group for cutting tracked connections",
    S.MEDIUM,
    (E.EC2_MEMORY,),
    "Swapping straight to an empty group leaves already-tracked attacker connections open.",
    "Create an allow-all conversion group per VPC, used for seconds before isolation.",
    provided_by=(t.AWS_ISOLATION,),
    scope=ACCOUNT,
    baseline_output="aws.conversionGroups",
)

# -- detection ------------------------------------------------------------------------------------
control(
    "AWS-GUARDDUTY-001",
    "GuardDuty is enabled",
    S.HIGH,
    (E.CLOUDTRAIL, E.VPC_FLOW_LOGS),
    "Findings are what trigger the prewired responders.",
    "Enable a GuardDuty detector.",
    prowler=("guardduty_is_enabled",),
    checkov=("CKV2_AWS_3",),
    provided_by=(t.AWS_THREAT_DETECTION,),
    scope=ACCOUNT,
    baseline_kinds=(t.GUARDDUTY_DETECTOR,),
    baseline_output="aws.guardDutyDetectorId",
)
control(
    "AWS-GUARDDUTY-002",
    "GuardDuty watches EKS audit logs and runtime activity",
    S.MEDIUM,
    (E.EKS_AUDIT_LOGS, E.EKS_NODE_FILESYSTEM),
    "Container compromises are invisible to the network and API detectors alone.",
    "Enable the EKS_AUDIT_LOGS and RUNTIME_MONITORING detector features.",
    prowler=("guardduty_eks_audit_log_enabled",),
    provided_by=(t.AWS_THREAT_DETECTION,),
)
control(
    "AWS-CONFIG-001",
    "AWS Config records all resources",
    S.MEDIUM,
    (E.AWS_CONFIG_HISTORY,),
    "Configuration history shows what a resource looked like when it was compromised, and "
    "what else changed.",
    "Create a recorder for all supported resources, a delivery channel and start recording.",
    prowler=("config_recorder_all_regions_enabled",),
    checkov=("CKV2_AWS_48",),
    provided_by=(t.AWS_THREAT_DETECTION,),
    scope=ACCOUNT,
    baseline_kinds=(t.CONFIG_RECORDER,),
    baseline_output="aws.configRoleArn",
)

# -- snapshots ------------------------------------------------------------------------------------
control(
    "AWS-SNAP-001",
    "Snapshots are automated for tagged workloads",
    S.MEDIUM,
    (E.EC2_VOLUMES,),
    "A recent snapshot shows the disk before the attacker changed it.",
    "An AWS Backup plan with a tag selection and/or a DLM policy for tagged volumes.",
    prowler=("backup_plans_exist",),
    provided_by=(t.AWS_SNAPSHOT_AUTOMATION,),
    scope=ACCOUNT,
    baseline_kinds=(t.BACKUP_SELECTION, t.DLM_POLICY),
    baseline_output="aws.snapshotLifecyclePolicyId",
)
control(
    "AWS-SNAP-002",
    "Backup vaults are locked",
    S.MEDIUM,
    (E.EC2_VOLUMES,),
    "An attacker with backup permissions deletes recovery points first.",
    "Add a Vault Lock configuration (compliance mode after its grace period).",
    provided_by=(t.AWS_SNAPSHOT_AUTOMATION,),
)

# -- identity -------------------------------------------------------------------------------------
control(
    "AWS-IAM-001",
    "A quarantine deny-all policy exists",
    S.HIGH,
    (E.CLOUDTRAIL,),
    "Containing a stolen identity must be one attach call, not a policy written under pressure.",
    "Create a managed policy that denies every action on every resource.",
    provided_by=(t.AWS_IDENTITIES,),
    scope=ACCOUNT,
    baseline_output="aws.quarantinePolicyArn",
)
control(
    "AWS-IAM-002",
    "A break-glass role exists and requires MFA",
    S.HIGH,
    (E.CLOUDTRAIL,),
    "Responders need guaranteed access during an incident, and that access must not be "
    "usable with a stolen password alone.",
    "A role trusting named principals only with aws:MultiFactorAuthPresent.",
    provided_by=(t.AWS_IDENTITIES,),
    scope=ACCOUNT,
    baseline_output="aws.breakGlassRoleArn",
)
control(
    "AWS-IAM-003",
    "Break-glass sessions last at most one hour",
    S.MEDIUM,
    (E.CLOUDTRAIL,),
    "Short sessions bound how long leaked break-glass credentials work.",
    "max_session_duration <= 3600 on the break-glass role.",
    provided_by=(t.AWS_IDENTITIES,),
)
control(
    "AWS-IAM-004",
    "Every break-glass assumption raises an alert",
    S.MEDIUM,
    (E.CLOUDTRAIL,),
    "Use of break-glass access is either an incident or must be explained.",
    "An EventBridge rule matching AssumeRole of the break-glass role, with a target.",
    provided_by=(t.AWS_IDENTITIES,),
)
control(
    "AWS-IAM-005",
    "The responder role holds no wildcard permissions",
    S.HIGH,
    (E.CLOUDTRAIL,),
    "A compromised responder with admin rights is the worst possible attacker.",
    "Generate the responder policy from the actions' declared permissions (prewire does).",
    checkov=("CKV_AWS_274",),
    provided_by=(t.AWS_IDENTITIES,),
)

# -- workloads ------------------------------------------------------------------------------------
control(
    "AWS-EKS-001",
    "EKS clusters log all five control-plane log types",
    S.HIGH,
    (E.EKS_AUDIT_LOGS, E.EKS_CONTROL_PLANE_LOGS),
    "Audit logs show who exec'd into which pod; control-plane logs that were off are gone.",
    "enabled_cluster_log_types = api, audit, authenticator, controllerManager, scheduler.",
    prowler=("eks_control_plane_logging_all_types_enabled",),
    checkov=("CKV_AWS_37",),
    provided_by=(t.AWS_EKS_LOGGING,),
)
control(
    "AWS-EKS-002",
    "EKS control-plane logs are kept for the retention period",
    S.MEDIUM,
    (E.EKS_AUDIT_LOGS, E.EKS_CONTROL_PLANE_LOGS),
    "EKS creates its log group with no retention set only if you let it; a short retention "
    "deletes the audit trail.",
    "Declare /aws/eks/<cluster>/cluster with retention >= prewire:retentionDays.",
    provided_by=(t.AWS_EKS_LOGGING,),
)
control(
    "AWS-EKS-003",
    "EKS container logs are shipped off the nodes",
    S.MEDIUM,
    (E.EKS_CONTAINER_LOGS,),
    "Pod logs live on the node and die with the pod; an attacker deletes a pod to erase them.",
    "Install the amazon-cloudwatch-observability add-on (Container Insights) or another "
    "shipper writing to /aws/containerinsights/<cluster>/application.",
    provided_by=(t.AWS_EKS_LOGGING,),
)
control(
    "AWS-LAMBDA-001",
    "Functions publish versions (no $LATEST-only functions)",
    S.MEDIUM,
    (E.LAMBDA_VERSIONS,),
    "Without versions, a redeploy overwrites the code that ran during the incident.",
    "Set publish=true and invoke through an alias.",
)
control(
    "AWS-LAMBDA-002",
    "No automation can delete function versions",
    S.HIGH,
    (E.LAMBDA_VERSIONS,),
    "Anti-forensics by automation: version clean-up jobs destroy the backdoored version.",
    "Remove lambda:DeleteFunction from roles used by functions and schedulers.",
)
control(
    "AWS-ECS-001",
    "ECS Exec sessions are logged",
    S.MEDIUM,
    (E.ECS_TASK_LOGS,),
    "Interactive sessions into containers are the attacker's shell; log them.",
    "Cluster execute_command_configuration logging = DEFAULT or OVERRIDE with a destination.",
    checkov=("CKV_AWS_223",),
)
control(
    "AWS-ECS-002",
    "ECS containers send logs to a log driver",
    S.MEDIUM,
    (E.ECS_TASK_LOGS,),
    "Container stdout is lost with the task unless a log driver ships it.",
    "Set logConfiguration (e.g. awslogs) on every container definition.",
    prowler=("ecs_task_definitions_logging_enabled",),
)
control(
    "AWS-SSM-001",
    "Session Manager sessions are logged",
    S.LOW,
    (E.SSM_SESSION_LOGS,),
    "Session Manager is a shell on your instances; its sessions must leave a record.",
    "Own SSM-SessionManagerRunShell with CloudWatch or S3 logging enabled.",
    provided_by=(t.AWS_RESPONSE,),
    scope=ACCOUNT,
    baseline_output="aws.sessionLogGroup",
)
control(
    "AWS-LOGS-001",
    "CloudWatch log groups keep logs for the retention period",
    S.MEDIUM,
    (E.LAMBDA_LOGS, E.EKS_AUDIT_LOGS, E.ECS_TASK_LOGS, E.CLOUDTRAIL),
    "Short retention is anti-forensics by configuration.",
    "retention_in_days >= prewire:retentionDays (or never expire).",
    prowler=("cloudwatch_log_group_retention_policy_specific_days_enabled",),
    checkov=("CKV_AWS_338",),
    provided_by=(t.AWS_AUDIT_TRAIL, t.AWS_RESPONSE),
)
control(
    "AWS-EBS-001",
    "Volumes of critical instances survive termination",
    S.HIGH,
    (E.EC2_VOLUMES,),
    "Terminating a compromised instance (by a person, an attacker or scaling) would delete "
    "its disks with the evidence on them.",
    "delete_on_termination=false for every volume of instances tagged prewire:critical=true.",
)
control(
    "AWS-ASG-001",
    "Critical Auto Scaling groups hold terminating instances for evidence",
    S.LOW,
    (E.EC2_VOLUMES, E.EC2_MEMORY),
    "A scale-in terminates a compromised instance before anyone looks at it.",
    "Add a lifecycle hook on autoscaling:EC2_INSTANCE_TERMINATING to groups tagged "
    "prewire:critical=true.",
)
control(
    "AWS-RESP-001",
    "Responder function is wired to GuardDuty findings",
    S.MEDIUM,
    (E.EC2_VOLUMES, E.EC2_MEMORY, E.EC2_METADATA),
    "Evidence collected in the first minutes is the evidence that still exists.",
    "An EventBridge rule for GuardDuty findings targeting the responder function.",
    provided_by=(t.AWS_RESPONSE,),
    scope=ACCOUNT,
    baseline_output="aws.findingRuleArn",
)

# -- responder pre-flight (only observable in a deployed account) ----------------------------------
control(
    "AWS-RESP-002",
    "The responder role can perform every action the responders declare",
    S.HIGH,
    (E.EC2_VOLUMES, E.EC2_MEMORY, E.EC2_METADATA, E.CLOUDTRAIL, E.LAMBDA_VERSIONS),
    "A responder that lacks one permission fails halfway through an incident.",
    "Deploy the stack's generated responder policy; re-deploy after upgrading prewire.",
    provided_by=(t.AWS_IDENTITIES,),
    live_only=True,
)
control(
    "AWS-RESP-003",
    "Instances are reachable by SSM for memory capture",
    S.MEDIUM,
    (E.EC2_MEMORY,),
    "Memory can only be captured from instances whose SSM agent is online.",
    "Install and run the SSM agent; give instance roles AmazonSSMManagedInstanceCore; keep "
    "SSM endpoints reachable after isolation (prewire:aws.isolationSsmEndpointGroups).",
    live_only=True,
)
control(
    "AWS-RESP-004",
    "The memory tool is staged with its pinned SHA-256",
    S.MEDIUM,
    (E.EC2_MEMORY,),
    "capture-memory refuses a tool whose hash differs; a missing tool means no memory image.",
    "Upload the tool to the configured S3 location with a SHA-256 checksum and set "
    "prewire:aws.memoryToolSha256.",
    provided_by=(t.AWS_DISCOVERY,),
    live_only=True,
)
control(
    "AWS-RESP-005",
    "The forensic key lets the responder re-encrypt snapshot copies",
    S.MEDIUM,
    (E.EC2_VOLUMES,),
    "Sharing snapshots with a forensic account needs a copy under a key that account can use.",
    "Keep the forensic key enabled, its policy delegating to IAM, and the responder's kms "
    "grants from the generated policy.",
    provided_by=(t.AWS_FORENSIC_KEY,),
    live_only=True,
)
