"""The GCP settings: the stack's GCP readiness, from `prewire:gcp.*`."""

from __future__ import annotations

from dataclasses import dataclass

from stacks.settings.patterns import (
    EMAIL,
    GCP_GROUP,
    GCP_KMS_KEY,
    GCP_LABEL,
    GCP_LOCATION,
    GCP_MEMBER,
    GCP_NETWORK,
    GCP_ORGANIZATION,
    GCP_PROJECT,
    GCP_REGION,
    RFC3339_UTC,
)
from stacks.settings.reader import Reader, split_tag


@dataclass(frozen=True)
class GcpSettings:
    project: str
    region: str
    break_glass_group: str
    organization_id: str | None = None
    bucket_location: str | None = None
    networks: tuple[str, ...] = ()
    break_glass_until: str = "1970-01-01T00:00:00Z"
    """The break-glass binding holds until then (dormant when in the past, the default)."""
    break_glass_callers: tuple[str, ...] = ()
    responder_members: tuple[str, ...] = ()
    kms_key_name: str | None = None
    snapshot_label: tuple[str, str] = ("prewire-snapshot", "true")
    snapshot_retention_days: int = 35
    manage_audit_config: bool = True
    gke_logging: bool = True
    vmdk_export: bool = False
    """Grant what `snapshot-disks --export-vmdk` needs (broad roles to Google's accounts)."""

    @property
    def storage_location(self) -> str:
        return self.bucket_location or self.region.upper()


def read_gcp(reader: Reader) -> GcpSettings | None:
    project = reader.string("gcp.project", GCP_PROJECT, "a project id like acme-prod-123")
    region = reader.string("gcp.region", GCP_REGION, "a region like europe-west1")
    group = reader.string("gcp.breakGlassGroup", GCP_GROUP, "a Google group email")
    reader.require(
        "gcp", {"gcp.project": project, "gcp.region": region, "gcp.breakGlassGroup": group}
    )
    networks = reader.strings("gcp.networks", GCP_NETWORK, "projects/<p>/global/networks/<n>")
    label = reader.string("gcp.snapshotLabel", GCP_LABEL, "a label as key=value (lower case)")
    if project is None or region is None or group is None:
        return None
    foreign = [n for n in networks or () if not n.startswith(f"projects/{project}/")]
    if foreign:
        # Firewall rules are created in the network's own project: a shared VPC's host
        # project is deployed with its own stack.
        reader.fail("gcp.networks", f"outside project {project}: {', '.join(foreign)}")
    return GcpSettings(
        project=project,
        region=region,
        break_glass_group=group,
        organization_id=reader.string("gcp.organizationId", GCP_ORGANIZATION, "a numeric id"),
        bucket_location=reader.string("gcp.bucketLocation", GCP_LOCATION, "a bucket location"),
        networks=networks or (),
        break_glass_until=reader.string(
            "gcp.breakGlassUntil", RFC3339_UTC, "a UTC time like 2026-01-31T18:00:00Z"
        )
        or "1970-01-01T00:00:00Z",
        break_glass_callers=reader.strings("gcp.breakGlassCallers", EMAIL, "email addresses") or (),
        responder_members=reader.strings(
            "gcp.responderMembers", GCP_MEMBER, "IAM members like group:ir@example.com"
        )
        or (),
        kms_key_name=reader.string("gcp.kmsKeyName", GCP_KMS_KEY, "a Cloud KMS key name"),
        snapshot_label=split_tag(label) if label else ("prewire-snapshot", "true"),
        snapshot_retention_days=reader.integer("gcp.snapshotRetentionDays", 35, 1, 65536),
        manage_audit_config=reader.boolean("gcp.manageAuditConfig", True),
        gke_logging=reader.boolean("gcp.gkeLogging", True),
        vmdk_export=reader.boolean("gcp.vmdkExport", False),
    )
