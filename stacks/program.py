"""Builds the readiness components for validated settings and exports their outputs."""

from __future__ import annotations

import pulumi

from prewire.core.vocabulary import Cloud
from stacks.aws import ForensicReadiness, ForensicReadinessArgs
from stacks.settings import ReadinessSettings

COMPONENT_NAME = "prewire"


def aws_args(settings: ReadinessSettings) -> ForensicReadinessArgs:
    aws = settings.aws
    assert aws is not None  # parse() fills it whenever AWS is enabled
    return ForensicReadinessArgs(
        retention_days=settings.retention_days,
        log_retention_days=settings.log_retention_days,
        break_glass_principals=settings.break_glass_principals,
        vpc_ids=aws.vpc_ids,
        alert_email=settings.alert_email,
        snapshot_tag=aws.snapshot_tag,
        snapshot_retention_days=aws.snapshot_retention_days,
        min_finding_severity=aws.min_finding_severity,
        auto_contain=aws.auto_contain,
        isolation_ssm_endpoint_groups=aws.isolation_ssm_endpoint_groups,
        responder_principals=aws.responder_principals,
        break_glass_policy_arns=aws.break_glass_policy_arns,
        memory_tool=(aws.memory_tool.s3_uri, aws.memory_tool.sha256) if aws.memory_tool else None,
        forensic_account_id=aws.forensic_account_id,
        manage_guardduty=aws.manage_guardduty,
        manage_config_recorder=aws.manage_config_recorder,
        manage_session_manager_preferences=aws.manage_session_manager_preferences,
        eks_logging=aws.eks_logging,
        eks_container_logs=aws.eks_container_logs,
        eks_logging_opt_out=aws.eks_logging_opt_out,
    )


def deploy(settings: ReadinessSettings) -> None:
    if Cloud.AWS in settings.clouds:
        readiness = ForensicReadiness(COMPONENT_NAME, aws_args(settings))
        pulumi.export("aws", readiness.outputs)
    if Cloud.AZURE in settings.clouds:
        from stacks.azure import AzureReadiness  # imports pulumi-azure-native only when used

        azure = AzureReadiness(COMPONENT_NAME, settings)
        pulumi.export("azure", azure.outputs)
    if Cloud.GCP in settings.clouds:
        from stacks.gcp import GcpReadiness  # imports pulumi-gcp only when used

        gcp = GcpReadiness(COMPONENT_NAME, settings)
        pulumi.export("gcp", gcp.outputs)
