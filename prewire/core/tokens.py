"""Pulumi type tokens, defined once. Rules, the renderer's mocks and the stacks use these names.

pulumi-aws v7 renamed several S3 resources; the older tokens a user's program may still emit are
kept as aliases so rules recognise both.
"""

from __future__ import annotations

# prewire's own components
AWS_READINESS = "prewire:aws:ForensicReadiness"
AWS_FORENSIC_KEY = "prewire:aws:ForensicKey"
AWS_LOCKED_BUCKET = "prewire:aws:LockedBucket"
AWS_ACCESS_LOG_BUCKET = "prewire:aws:AccessLogBucket"
AWS_AUDIT_TRAIL = "prewire:aws:AuditTrail"
AWS_FLOW_LOGS = "prewire:aws:FlowLogs"
AWS_THREAT_DETECTION = "prewire:aws:ThreatDetection"
AWS_SNAPSHOT_AUTOMATION = "prewire:aws:SnapshotAutomation"
AWS_ISOLATION = "prewire:aws:IsolationGroups"
AWS_IDENTITIES = "prewire:aws:ResponderIdentities"
AWS_RESPONSE = "prewire:aws:ResponseWiring"
AWS_DISCOVERY = "prewire:aws:Discovery"
AWS_EKS_LOGGING = "prewire:aws:EksLogging"

# AWS resources
S3_BUCKET = "aws:s3/bucket:Bucket"
S3_BUCKET_V2 = "aws:s3/bucketV2:BucketV2"
S3_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
S3_VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2"
S3_OBJECT_LOCK = "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"
S3_OBJECT_LOCK_V2 = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
S3_ENCRYPTION = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
)
S3_ENCRYPTION_V2 = (
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
)
S3_PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
S3_LOGGING = "aws:s3/bucketLogging:BucketLogging"
S3_LOGGING_V2 = "aws:s3/bucketLoggingV2:BucketLoggingV2"
S3_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
S3_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
S3_LIFECYCLE_V2 = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
KMS_KEY = "aws:kms/key:Key"
KMS_ALIAS = "aws:kms/alias:Alias"
CLOUDTRAIL = "aws:cloudtrail/trail:Trail"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
EVENT_RULE = "aws:cloudwatch/eventRule:EventRule"
EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
IAM_ROLE = "aws:iam/role:Role"
IAM_ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
IAM_ROLE_POLICY_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
IAM_POLICY = "aws:iam/policy:Policy"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
VPC = "aws:ec2/vpc:Vpc"
EC2_INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
GUARDDUTY_DETECTOR = "aws:guardduty/detector:Detector"
GUARDDUTY_FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
CONFIG_RECORDER = "aws:cfg/recorder:Recorder"
CONFIG_DELIVERY_CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"
CONFIG_RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"
BACKUP_VAULT = "aws:backup/vault:Vault"
BACKUP_VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
BACKUP_PLAN = "aws:backup/plan:Plan"
BACKUP_SELECTION = "aws:backup/selection:Selection"
DLM_POLICY = "aws:dlm/lifecyclePolicy:LifecyclePolicy"
SNS_TOPIC = "aws:sns/topic:Topic"
SNS_TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
SNS_SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"
LAMBDA_FUNCTION = "aws:lambda/function:Function"
LAMBDA_PERMISSION = "aws:lambda/permission:Permission"
LAMBDA_ALIAS = "aws:lambda/alias:Alias"
SQS_QUEUE = "aws:sqs/queue:Queue"
SQS_QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
SSM_DOCUMENT = "aws:ssm/document:Document"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
EKS_ADDON = "aws:eks/addon:Addon"
ECS_CLUSTER = "aws:ecs/cluster:Cluster"
ECS_TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition"
AUTOSCALING_GROUP = "aws:autoscaling/group:Group"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
ALB = "aws:alb/loadBalancer:LoadBalancer"
CLOUDFRONT_DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
# What is placed in a VPC by its `vpcId` (the VPCs a workload uses).
VPC_MEMBERS = (
    SECURITY_GROUP,
    "aws:ec2/subnet:Subnet",
    "aws:ec2/routeTable:RouteTable",
    "aws:ec2/vpcEndpoint:VpcEndpoint",
    "aws:ec2/networkAcl:NetworkAcl",
    "aws:ec2/internetGateway:InternetGateway",
    FLOW_LOG,
    TARGET_GROUP,
)

# prewire's Azure components
AZURE_READINESS = "prewire:azure:ForensicReadiness"
AZURE_IMMUTABLE_STORAGE = "prewire:azure:ImmutableStorage"
AZURE_ACTIVITY_LOG = "prewire:azure:ActivityLogExport"
AZURE_FLOW_LOGS = "prewire:azure:FlowLogs"
AZURE_ISOLATION = "prewire:azure:IsolationGroups"
AZURE_THREAT_DETECTION = "prewire:azure:ThreatDetection"
AZURE_SNAPSHOT_AUTOMATION = "prewire:azure:SnapshotAutomation"
AZURE_DIAGNOSTICS = "prewire:azure:WorkloadDiagnostics"
AZURE_IDENTITIES = "prewire:azure:ResponderIdentities"
AZURE_RESPONSE = "prewire:azure:ResponderFunction"

# Azure resources (pulumi-azure-native)
AZ_RESOURCE_GROUP = "azure-native:resources:ResourceGroup"
AZ_STORAGE_ACCOUNT = "azure-native:storage:StorageAccount"
AZ_BLOB_SERVICE = "azure-native:storage:BlobServiceProperties"
AZ_BLOB_CONTAINER = "azure-native:storage:BlobContainer"
AZ_IMMUTABILITY_POLICY = "azure-native:storage:BlobContainerImmutabilityPolicy"
AZ_WORKSPACE = "azure-native:operationalinsights:Workspace"
AZ_SUBSCRIPTION_DIAGNOSTICS = "azure-native:monitor:SubscriptionDiagnosticSetting"
AZ_DIAGNOSTIC_SETTING = "azure-native:monitor:DiagnosticSetting"
AZ_ACTIVITY_LOG_ALERT = "azure-native:monitor:ActivityLogAlert"
AZ_ACTION_GROUP = "azure-native:monitor:ActionGroup"
AZ_NSG = "azure-native:network:NetworkSecurityGroup"
AZ_FLOW_LOG = "azure-native:network:FlowLog"
AZ_DEFENDER_PRICING = "azure-native:security:Pricing"
AZ_SECURITY_AUTOMATION = "azure-native:security:Automation"
AZ_EVENT_HUB_NAMESPACE = "azure-native:eventhub:Namespace"
AZ_EVENT_HUB = "azure-native:eventhub:EventHub"
AZ_EVENT_HUB_RULE = "azure-native:eventhub:EventHubAuthorizationRule"
AZ_BACKUP_VAULT = "azure-native:dataprotection:BackupVault"
AZ_BACKUP_POLICY = "azure-native:dataprotection:BackupPolicy"
AZ_POLICY_ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
AZ_ROLE_DEFINITION = "azure-native:authorization:RoleDefinition"
AZ_ROLE_ASSIGNMENT = "azure-native:authorization:RoleAssignment"
AZ_LOCK = "azure-native:authorization:ManagementLockByScope"
AZ_USER_IDENTITY = "azure-native:managedidentity:UserAssignedIdentity"
AZ_MANAGED_CLUSTER = "azure-native:containerservice:ManagedCluster"
AZ_WEB_APP = "azure-native:web:WebApp"
AZ_APP_SERVICE_PLAN = "azure-native:web:AppServicePlan"
AZ_BLOB = "azure-native:storage:Blob"
AZ_VIRTUAL_NETWORK = "azure-native:network:VirtualNetwork"
AZ_VIRTUAL_MACHINE = "azure-native:compute:VirtualMachine"
DYNAMIC_RESOURCE = "pulumi-python:dynamic:Resource"

ALIASES: dict[str, tuple[str, ...]] = {
    S3_BUCKET: (S3_BUCKET, S3_BUCKET_V2),
    S3_VERSIONING: (S3_VERSIONING, S3_VERSIONING_V2),
    S3_OBJECT_LOCK: (S3_OBJECT_LOCK, S3_OBJECT_LOCK_V2),
    S3_ENCRYPTION: (S3_ENCRYPTION, S3_ENCRYPTION_V2),
    S3_LOGGING: (S3_LOGGING, S3_LOGGING_V2),
    S3_LIFECYCLE: (S3_LIFECYCLE, S3_LIFECYCLE_V2),
    LOAD_BALANCER: (LOAD_BALANCER, ALB),
}


def same_kind(token: str) -> tuple[str, ...]:
    """All tokens that mean the same resource kind as `token` (itself included)."""
    return ALIASES.get(token, (token,))


# -- GCP: prewire components ----------------------------------------------------------------------
GCP_READINESS = "prewire:gcp:ForensicReadiness"
GCP_BUCKETS = "prewire:gcp:LockedBuckets"
GCP_AUDIT_LOGGING = "prewire:gcp:AuditLogging"
GCP_FLOW_LOGS = "prewire:gcp:FlowLogs"
GCP_QUARANTINE = "prewire:gcp:QuarantineFirewall"
GCP_SNAPSHOTS = "prewire:gcp:SnapshotSchedule"
GCP_GKE_LOGGING = "prewire:gcp:GkeLogging"
GCP_DETECTION = "prewire:gcp:FindingNotifications"
GCP_IDENTITIES = "prewire:gcp:ResponderIdentities"
GCP_VMDK_EXPORT = "prewire:gcp:VmdkExportAccess"

# -- GCP: pulumi-gcp resources --------------------------------------------------------------------
GCP_BUCKET = "gcp:storage/bucket:Bucket"
GCP_BUCKET_IAM_MEMBER = "gcp:storage/bucketIAMMember:BucketIAMMember"
GCP_AUDIT_CONFIG = "gcp:projects/iAMAuditConfig:IAMAuditConfig"
GCP_LOG_SINK = "gcp:logging/projectSink:ProjectSink"
GCP_LOG_BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig"
GCP_LOG_METRIC = "gcp:logging/metric:Metric"
GCP_FLOW_LOGS_CONFIG = "gcp:networkmanagement/vpcFlowLogsConfig:VpcFlowLogsConfig"
GCP_FIREWALL = "gcp:compute/firewall:Firewall"
GCP_RESOURCE_POLICY = "gcp:compute/resourcePolicy:ResourcePolicy"
GCP_NETWORK = "gcp:compute/network:Network"
GCP_SUBNETWORK = "gcp:compute/subnetwork:Subnetwork"
GCP_INSTANCE = "gcp:compute/instance:Instance"
GCP_DISK = "gcp:compute/disk:Disk"
GCP_GKE_CLUSTER = "gcp:container/cluster:Cluster"
GCP_TOPIC = "gcp:pubsub/topic:Topic"
GCP_TOPIC_IAM_MEMBER = "gcp:pubsub/topicIAMMember:TopicIAMMember"
GCP_SUBSCRIPTION = "gcp:pubsub/subscription:Subscription"
GCP_SCC_PROJECT_NOTIFICATION = (
    "gcp:securitycenter/v2ProjectNotificationConfig:V2ProjectNotificationConfig"
)
GCP_SCC_ORG_NOTIFICATION = (
    "gcp:securitycenter/v2OrganizationNotificationConfig:V2OrganizationNotificationConfig"
)
GCP_SERVICE_ACCOUNT = "gcp:serviceaccount/account:Account"
GCP_CUSTOM_ROLE = "gcp:projects/iAMCustomRole:IAMCustomRole"
GCP_PROJECT_IAM_MEMBER = "gcp:projects/iAMMember:IAMMember"
GCP_ALERT_POLICY = "gcp:monitoring/alertPolicy:AlertPolicy"
GCP_NOTIFICATION_CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel"
GCP_KMS_KEY_IAM_MEMBER = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember"
