"""`prewire:gcp:ForensicReadiness`: everything a GCP project needs before an incident.

Everything is created in the configured project through an explicit provider, so nothing lands
in whichever project the deployer's environment happens to point at.
"""

from __future__ import annotations

import pulumi
import pulumi_gcp as gcp

from prewire.core import tokens
from stacks.gcp.buckets import LockedBuckets, LockedBucketsArgs
from stacks.gcp.detection import FindingNotifications, FindingNotificationsArgs
from stacks.gcp.gke import GkeLogging
from stacks.gcp.identity import ResponderIdentities, ResponderIdentitiesArgs
from stacks.gcp.logging import AuditLogging, AuditLoggingArgs
from stacks.gcp.network import FlowLogs, NetworkArgs, QuarantineFirewall
from stacks.gcp.snapshots import SnapshotSchedule, SnapshotScheduleArgs
from stacks.gcp.vmdk_export import VmdkExportAccess, VmdkExportAccessArgs
from stacks.settings import ReadinessSettings


class GcpReadiness(pulumi.ComponentResource):
    outputs: dict[str, pulumi.Input[object]]

    def __init__(
        self, name: str, settings: ReadinessSettings, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        config = settings.gcp
        assert config is not None  # parse() fills it whenever GCP is enabled
        provider = gcp.Provider(f"{name}-gcp", project=config.project, region=config.region)
        super().__init__(
            tokens.GCP_READINESS,
            name,
            None,
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(providers=[provider])),
        )
        here = pulumi.ResourceOptions(parent=self)
        if config.gke_logging:
            GkeLogging(f"{name}-gke", here)
        buckets = LockedBuckets(
            f"{name}-buckets",
            LockedBucketsArgs(
                project=config.project,
                location=config.storage_location,
                retention_days=settings.retention_days,
                kms_key_name=config.kms_key_name,
            ),
            here,
        )
        logging = AuditLogging(
            f"{name}-logging",
            AuditLoggingArgs(
                project=config.project,
                audit_bucket=buckets.audit.name,
                retention_days=settings.retention_days,
                manage_audit_config=config.manage_audit_config,
            ),
            here,
        )
        networks = NetworkArgs(project=config.project, networks=config.networks)
        if config.networks:
            FlowLogs(f"{name}-flow", networks, here)
            QuarantineFirewall(f"{name}-quarantine", networks, here)
        snapshots = SnapshotSchedule(
            f"{name}-snapshots",
            SnapshotScheduleArgs(
                project=config.project,
                region=config.region,
                label=config.snapshot_label,
                retention_days=config.snapshot_retention_days,
            ),
            here,
        )
        findings = FindingNotifications(
            f"{name}-findings",
            FindingNotificationsArgs(
                project=config.project, organization_id=config.organization_id
            ),
            here,
        )
        identities = ResponderIdentities(
            f"{name}-identities",
            ResponderIdentitiesArgs(
                project=config.project,
                break_glass_group=config.break_glass_group,
                break_glass_until=config.break_glass_until,
                break_glass_callers=config.break_glass_callers,
                responder_members=config.responder_members,
                alert_email=settings.alert_email,
                vmdk_export=config.vmdk_export,
                evidence_bucket=buckets.evidence.name,
            ),
            here,
        )
        if config.vmdk_export:
            VmdkExportAccess(
                f"{name}-vmdk-export",
                VmdkExportAccessArgs(project=config.project, evidence_bucket=buckets.evidence.name),
                here,
            )
        self.outputs = {
            "auditBucket": buckets.audit.name,
            "evidenceBucket": buckets.evidence.name,
            "workloadLogBucket": logging.log_bucket.id,
            "snapshotPolicy": snapshots.policy.self_link,
            "findingTopic": findings.topic.id,
            "findingSubscription": findings.subscription.id,
            "responderServiceAccount": identities.responder.email,
            "dataAccessLogs": True if config.manage_audit_config else None,
            "quarantineNetworks": list(config.networks),
            "flowLogNetworks": list(config.networks),
            "breakGlassGroup": config.break_glass_group,
        }
        self.register_outputs(self.outputs)
