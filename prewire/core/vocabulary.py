"""The one vocabulary every face of prewire speaks: clouds, evidence sources and severities."""

from __future__ import annotations

from enum import StrEnum


class Cloud(StrEnum):
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_SEVERITY_ORDER = (Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL)


class EvidenceSource(StrEnum):
    """What an investigator needs after a breach. DESIGN.md's seed list is the floor."""

    # AWS
    EC2_VOLUMES = "ec2-volumes"
    EC2_MEMORY = "ec2-memory"
    EC2_METADATA = "ec2-metadata"
    CLOUDTRAIL = "cloudtrail"
    AWS_CONFIG_HISTORY = "aws-config-history"
    VPC_FLOW_LOGS = "vpc-flow-logs"
    EKS_AUDIT_LOGS = "eks-audit-logs"
    EKS_CONTROL_PLANE_LOGS = "eks-control-plane-logs"
    EKS_NODE_FILESYSTEM = "eks-node-filesystem"
    EKS_CONTAINER_LOGS = "eks-container-logs"
    ECS_TASK_FILES = "ecs-task-files"
    ECS_TASK_LOGS = "ecs-task-logs"
    LAMBDA_VERSIONS = "lambda-versions"
    LAMBDA_LOGS = "lambda-logs"
    SSM_SESSION_LOGS = "ssm-session-logs"
    # Azure
    AZURE_VM_DISKS = "azure-vm-disks"
    AZURE_ACTIVITY_LOG = "azure-activity-log"
    AZURE_FLOW_LOGS = "azure-vnet-flow-logs"
    AKS_CLUSTER = "aks-cluster"
    AKS_AUDIT_LOGS = "aks-audit-logs"
    AZURE_FUNCTION_LOGS = "azure-function-logs"
    # GCP
    GCE_DISKS = "gce-disks"
    GCP_AUDIT_LOGS = "gcp-audit-logs"
    GCP_FLOW_LOGS = "gcp-vpc-flow-logs"
    GKE_CLUSTER = "gke-cluster"
    GKE_LOGS = "gke-logs"
    CLOUD_RUN_LOGS = "cloud-run-logs"

    @property
    def cloud(self) -> Cloud:
        return _SOURCE_INFO[self][0]

    @property
    def label(self) -> str:
        return _SOURCE_INFO[self][1]


_SOURCE_INFO: dict[EvidenceSource, tuple[Cloud, str]] = {
    EvidenceSource.EC2_VOLUMES: (Cloud.AWS, "EC2 volumes (EBS snapshots)"),
    EvidenceSource.EC2_MEMORY: (Cloud.AWS, "EC2 memory image"),
    EvidenceSource.EC2_METADATA: (Cloud.AWS, "EC2 instance metadata, user data, console"),
    EvidenceSource.CLOUDTRAIL: (Cloud.AWS, "CloudTrail management and data events"),
    EvidenceSource.AWS_CONFIG_HISTORY: (Cloud.AWS, "AWS Config configuration history"),
    EvidenceSource.VPC_FLOW_LOGS: (Cloud.AWS, "VPC flow logs"),
    EvidenceSource.EKS_AUDIT_LOGS: (Cloud.AWS, "EKS audit and authenticator logs"),
    EvidenceSource.EKS_CONTROL_PLANE_LOGS: (Cloud.AWS, "EKS control-plane logs"),
    EvidenceSource.EKS_NODE_FILESYSTEM: (Cloud.AWS, "EKS node file systems (overlay2)"),
    EvidenceSource.EKS_CONTAINER_LOGS: (Cloud.AWS, "EKS container logs"),
    EvidenceSource.ECS_TASK_FILES: (Cloud.AWS, "ECS task definitions and task state"),
    EvidenceSource.ECS_TASK_LOGS: (Cloud.AWS, "ECS container logs"),
    EvidenceSource.LAMBDA_VERSIONS: (Cloud.AWS, "Lambda function versions and code"),
    EvidenceSource.LAMBDA_LOGS: (Cloud.AWS, "Lambda logs"),
    EvidenceSource.SSM_SESSION_LOGS: (Cloud.AWS, "Session Manager session logs"),
    EvidenceSource.AZURE_VM_DISKS: (Cloud.AZURE, "Azure VM disks (VHD)"),
    EvidenceSource.AZURE_ACTIVITY_LOG: (Cloud.AZURE, "Azure Activity Log"),
    EvidenceSource.AZURE_FLOW_LOGS: (Cloud.AZURE, "Azure VNet flow logs"),
    EvidenceSource.AKS_CLUSTER: (Cloud.AZURE, "AKS cluster state (command invoke)"),
    EvidenceSource.AKS_AUDIT_LOGS: (Cloud.AZURE, "AKS audit logs (kube-audit)"),
    EvidenceSource.AZURE_FUNCTION_LOGS: (Cloud.AZURE, "Azure Functions logs (FunctionAppLogs)"),
    EvidenceSource.GCE_DISKS: (Cloud.GCP, "GCE disks (VMDK)"),
    EvidenceSource.GCP_AUDIT_LOGS: (Cloud.GCP, "Cloud Audit Logs"),
    EvidenceSource.GCP_FLOW_LOGS: (Cloud.GCP, "VPC flow logs"),
    EvidenceSource.GKE_CLUSTER: (Cloud.GCP, "GKE cluster state (exec)"),
    EvidenceSource.GKE_LOGS: (Cloud.GCP, "GKE control-plane and workload logs"),
    EvidenceSource.CLOUD_RUN_LOGS: (Cloud.GCP, "Cloud Run logs"),
}


def sources_of(cloud: Cloud) -> tuple[EvidenceSource, ...]:
    return tuple(source for source in EvidenceSource if source.cloud is cloud)


# Names of the clouds' own that the stacks, the rules and the responders must agree on.
EKS_CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
EKS_LOG_SHIPPER_ADDON = "amazon-cloudwatch-observability"
"""The EKS add-on that ships container logs to /aws/containerinsights/<cluster>/ (Fluent Bit)."""

# prewire's own names that the stacks, the rules and the responders must agree on.
ROLE_TAG = "prewire:role"
"""What a resource is for prewire (`isolation`, `conversion`, `evidence`, ...): responders and
audits find it, and the AWS responder role's conditions name it, by this tag."""
