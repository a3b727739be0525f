"""`prewire:gcp:AuditLogging`: every audit log kept, and kept where nobody can remove it.

- Data Access audit logs (ADMIN_READ, DATA_READ, DATA_WRITE) for all services: GCP records only
  Admin Activity by default; who read which object or secret is otherwise never written.
- A project sink of every audit log into the locked audit bucket (its writer identity may only
  create objects), past the 400 days Cloud Logging keeps Admin Activity.
- A log bucket with the retention period, locked, and a sink of Cloud Run and GKE logs into it
  (Cloud Logging keeps `_Default` 30 days).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_gcp as gcp

from prewire.core import tokens
from stacks.gcp.base import child

AUDIT_LOG_TYPES = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")
AUDIT_FILTER = 'logName:"cloudaudit.googleapis.com"'
WORKLOAD_LOG_BUCKET = "prewire-workloads"
WORKLOAD_RESOURCE_TYPES = ("cloud_run_revision", "k8s_cluster", "k8s_container", "k8s_node")
MAX_LOG_BUCKET_DAYS = 3650


def workload_filter() -> str:
    return " OR ".join(f'resource.type="{kind}"' for kind in WORKLOAD_RESOURCE_TYPES)


@dataclass
class AuditLoggingArgs:
    project: str
    audit_bucket: pulumi.Input[str]
    retention_days: int
    manage_audit_config: bool = True


class AuditLogging(pulumi.ComponentResource):
    log_bucket: gcp.logging.ProjectBucketConfig

    def __init__(
        self, name: str, args: AuditLoggingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(tokens.GCP_AUDIT_LOGGING, name, None, opts)
        if args.manage_audit_config:
            gcp.projects.IAMAuditConfig(
                f"{name}-data-access",
                project=args.project,
                service="allServices",
                audit_log_configs=[{"log_type": kind} for kind in AUDIT_LOG_TYPES],
                opts=child(self),
            )
        sink = gcp.logging.ProjectSink(
            f"{name}-audit-sink",
            name="prewire-audit-logs",
            project=args.project,
            destination=pulumi.Output.concat("storage.googleapis.com/", args.audit_bucket),
            filter=AUDIT_FILTER,
            unique_writer_identity=True,
            description="prewire: every Cloud Audit Log into the locked audit bucket",
            opts=child(self),
        )
        gcp.storage.BucketIAMMember(
            f"{name}-audit-sink-writer",
            bucket=args.audit_bucket,
            role="roles/storage.objectCreator",
            member=sink.writer_identity,
            opts=child(self),
        )
        self.log_bucket = gcp.logging.ProjectBucketConfig(
            f"{name}-workloads",
            project=args.project,
            location="global",
            bucket_id=WORKLOAD_LOG_BUCKET,
            retention_days=min(args.retention_days, MAX_LOG_BUCKET_DAYS),
            locked=True,
            description="prewire: Cloud Run and GKE logs for the retention period",
            opts=child(self, protect=True),
        )
        gcp.logging.ProjectSink(
            f"{name}-workload-sink",
            name="prewire-workload-logs",
            project=args.project,
            destination=pulumi.Output.concat(
                "logging.googleapis.com/projects/",
                args.project,
                "/locations/global/buckets/",
                self.log_bucket.bucket_id,
            ),
            filter=workload_filter(),
            unique_writer_identity=True,
            description="prewire: Cloud Run and GKE logs into the locked log bucket",
            opts=child(self),
        )
        self.register_outputs({"logBucket": self.log_bucket.id, "auditSink": sink.id})
