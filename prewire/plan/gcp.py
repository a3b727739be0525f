"""The GCP section of the incident response plan (`prewire plan`), from the GCP settings and the
names the GCP stack gives what it creates."""

from __future__ import annotations

from prewire.core.vocabulary import Cloud
from prewire.plan.engine import names, scenario_commands, section
from stacks.gcp.base import bucket_name
from stacks.gcp.detection import FINDING_SUBSCRIPTION, FINDING_TOPIC
from stacks.gcp.identity import BREAK_GLASS_ROLE_ID, RESPONDER_ACCOUNT_ID, RESPONDER_ROLE_ID
from stacks.gcp.logging import MAX_LOG_BUCKET_DAYS, WORKLOAD_LOG_BUCKET
from stacks.settings import ReadinessSettings


@section(Cloud.GCP)
def gcp_section(settings: ReadinessSettings) -> list[str]:
    gcp = settings.gcp
    assert gcp is not None
    project, days = gcp.project, settings.retention_days
    alerted = settings.alert_email or "**nobody: set prewire:alertEmail**"
    dormant = gcp.break_glass_until <= "1970-01-02"
    window = "closed (open it by setting" if dormant else f"open until {gcp.break_glass_until} (set"
    responder = f"{RESPONDER_ACCOUNT_ID}@{project}.iam.gserviceaccount.com"
    findings_scope = (
        f"organization {gcp.organization_id}" if gcp.organization_id else f"project {project}"
    )
    label = "=".join(gcp.snapshot_label)
    lines = [
        "## GCP",
        "",
        "### Getting access",
        "",
        f"- Break glass: group `{gcp.break_glass_group}` holds `{BREAK_GLASS_ROLE_ID}` and read "
        f"roles under an IAM condition, {window} prewire:gcp.breakGlassUntil and running "
        "`pulumi up`).",
        "- Every change of that binding, and every action of "
        f"{names(gcp.break_glass_callers, 'nobody')}, alerts {alerted}.",
        f"- Responders run as `{responder}` with the custom role `{RESPONDER_ROLE_ID}`, generated "
        f"from what the responders declare; also held by {names(gcp.responder_members, 'nobody')}.",
        "",
        "### Evidence: where it is and for how long",
        "",
        f"- Cloud Audit Logs (Admin Activity and Data Access, all services): the audit bucket "
        f"`{bucket_name(project, 'audit')}`, Bucket Lock, {days} days.",
        f"- Cloud Run and GKE logs: the log bucket `{WORKLOAD_LOG_BUCKET}`, locked, "
        f"{min(days, MAX_LOG_BUCKET_DAYS)} days.",
        f"- VPC flow logs (all metadata) of {names(gcp.networks, 'nobody')}.",
        f"- Responder artifacts: the evidence bucket `{bucket_name(project, 'evidence')}`, "
        f"`cases/<case>/...`, Bucket Lock {days} days, each with its SHA-256 and a hash-chained "
        "custody log (`prewire evidence verify <CASE>`).",
        f"- Daily snapshots of disks labelled `{label}`, kept {gcp.snapshot_retention_days} days "
        "and kept when their disk is deleted.",
        "- Disk images: "
        + (
            "`snapshot-disks --export-vmdk` writes each snapshot as a hashed VMDK into the "
            "evidence bucket (Cloud Build; tens of minutes per disk)."
            if gcp.vmdk_export
            else "snapshots stay in the project; VMDK export is not prepared "
            "(prewire:gcp.vmdkExport)."
        ),
        "",
        "### Automatic response",
        "",
        f"Security Command Center findings of {findings_scope}, active and HIGH or CRITICAL, are "
        f"published to `{FINDING_TOPIC}`; a subscriber on `{FINDING_SUBSCRIPTION}` runs "
        "`respond_to_finding`: `contain-instance` for an instance (protect, snapshot, isolate, "
        "disable its service accounts, logs), `preserve-service` for a Cloud Run service, "
        "`investigate-cluster` for a GKE cluster.",
        "",
        "### What to run",
        "",
        "| situation | command | what it does |",
        "| --- | --- | --- |",
        *[
            f"| {s} | `{c.replace('<p>', project)} --project {project}` | {n} |"
            for s, c, n in scenario_commands(Cloud.GCP)
        ],
        "",
        "Run with `--dry-run` first; releasing an instance or an identity needs `--yes`.",
        "",
    ]
    if not gcp.networks:
        lines.append(
            "**No network is listed in prewire:gcp.networks: there are no quarantine rules or "
            "flow logs, and instances cannot be isolated.**\n"
        )
    return lines
