"""The AWS section of the incident response plan (`prewire plan`), from the AWS settings and the
names the AWS stack gives what it creates."""

from __future__ import annotations

from prewire.core.vocabulary import Cloud
from prewire.plan.engine import names, scenario_commands, section
from stacks.settings import ReadinessSettings


@section(Cloud.AWS)
def aws_section(settings: ReadinessSettings) -> list[str]:
    aws = settings.aws
    assert aws is not None
    alerted = settings.alert_email or "**nobody: set prewire:alertEmail**"
    humans = (
        f", and which {names(aws.responder_principals)} may assume with MFA"
        if aws.responder_principals
        else ""
    )
    memory = (
        f"captured with `{aws.memory_tool.s3_uri}` (SHA-256 `{aws.memory_tool.sha256[:16]}…`)"
        if aws.memory_tool
        else "**no memory tool is staged** (prewire:aws.memoryToolS3Uri)"
    )
    automatic = (
        "`contain-instance`: protect, snapshot, collect, capture memory, isolate, quarantine"
        if aws.auto_contain
        else "`preserve-instance`: evidence only, the workload is not changed; "
        "containment is a human decision (prewire:aws.autoContain=false)"
    )
    days = settings.retention_days
    lines = [
        "## AWS",
        "",
        "### Getting access",
        "",
        f"- Break-glass role `prewire-break-glass-<region>`: assumable only by "
        f"{names(settings.break_glass_principals)}, only with MFA, one hour per session at most.",
        f"- Every assumption of it alerts {alerted}.",
        f"- Responders run as `prewire-responder-<region>`, holding exactly the permissions the "
        f"responder actions declare{humans}.",
        "",
        "### Evidence: where it is and for how long",
        "",
        f"- CloudTrail (every region, management and S3/Lambda data events), VPC flow logs and AWS "
        f"Config history: the audit store (`/prewire/aws/audit-bucket`), Object Lock COMPLIANCE, "
        f"{days} days.",
        f"- CloudTrail in CloudWatch Logs: {settings.log_retention_days} days.",
        f"- Responder artifacts: the evidence store (`/prewire/aws/evidence-bucket`), "
        f"`cases/<case>/...`, locked {days} days, each with its SHA-256 and a hash-chained "
        "custody log (`prewire evidence verify <CASE>`).",
        f"- Snapshots of resources tagged `{'='.join(aws.snapshot_tag)}` every 12 hours, kept "
        f"{aws.snapshot_retention_days} days in a locked AWS Backup vault and by DLM.",
        f"- Memory images: {memory}.",
        "",
        "### Automatic response",
        "",
        f"GuardDuty findings of severity {aws.min_finding_severity} or more invoke the responder "
        f"function, which runs {automatic}.",
        "",
        "### What to run",
        "",
        "| situation | command | what it does |",
        "| --- | --- | --- |",
        *[f"| {s} | `{c}` | {n} |" for s, c, n in scenario_commands(Cloud.AWS)],
        "",
        "`prewire list` shows every other action. Run with `--dry-run` first to see every call a "
        "responder would make; releasing an isolated instance or a quarantined identity needs "
        "`--yes`.",
        "",
    ]
    if not aws.vpc_ids:
        lines.append(
            "**No VPC is listed in prewire:aws.vpcIds: there are no isolation groups or "
            "flow logs, and instances cannot be isolated.**\n"
        )
    return lines
