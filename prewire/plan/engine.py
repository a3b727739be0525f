"""The organisation's cloud incident response plan, written from the catalogue and the stack
configuration: access, evidence and where it is kept, the command for each scenario, and what is
not covered yet. It is the "have a plan" document a team reviews before an incident."""

from __future__ import annotations

from collections.abc import Sequence

from prewire.core.vocabulary import Cloud
from prewire.coverage import FACES, matrix
from stacks.settings import ReadinessSettings

TARGET_PLACEHOLDERS = {
    (Cloud.AWS, "instance"): "<instance-id>",
    (Cloud.AWS, "identity"): "user/<name>",
    (Cloud.AWS, "subject"): "<instance-id or user/NAME>",
    (Cloud.AWS, "function"): "<function>",
    (Cloud.AWS, "eks-cluster"): "<cluster>",
    (Cloud.AWS, "ecs-service"): "<cluster>/<service>",
    (Cloud.AZURE, "instance"): "/subscriptions/<s>/resourceGroups/<g>/providers/"
    "Microsoft.Compute/virtualMachines/<name>",
    (Cloud.AZURE, "cluster"): "/subscriptions/<s>/resourceGroups/<g>/providers/"
    "Microsoft.ContainerService/managedClusters/<name>",
    (Cloud.GCP, "instance"): "projects/<p>/zones/<z>/instances/<name>",
    (Cloud.GCP, "service"): "projects/<p>/locations/<l>/services/<name>",
    (Cloud.GCP, "cluster"): "projects/<p>/locations/<l>/clusters/<name>",
}


def scenario_commands(cloud: Cloud) -> list[tuple[str, str, str]]:
    """(situation, command, what it does) for every drilled scenario, from the registries."""
    from prewire.drill.scenarios import load_scenarios
    from responders.playbooks import PLAYBOOKS
    from responders.registry import ACTIONS, load_cloud

    load_cloud(cloud)
    rows = []
    for scenario in load_scenarios():
        if scenario.cloud is not cloud:
            continue
        kind, _, name = scenario.response.partition(" ")
        spec = PLAYBOOKS.get((cloud, name)) if kind == "playbook" else ACTIONS.get((cloud, name))
        target = TARGET_PLACEHOLDERS.get((cloud, spec.target_kind), "<target>")
        command = f"prewire respond {cloud.value} {name} --case <CASE> --target {target}"
        rows.append((scenario.summary, command, spec.summary))
    return rows


def names(values: Sequence[str], empty: str = "") -> str:
    """`a`, `b`: settings quoted for the plan, or `empty` when there are none."""
    return ", ".join(f"`{v}`" for v in values) or empty


def _aws_section(settings: ReadinessSettings) -> list[str]:
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


def _gaps(settings: ReadinessSettings) -> list[str]:
    lines = [
        "## Not covered yet",
        "",
        "Evidence sources a face of prewire does not cover (`prewire coverage`):",
        "",
    ]
    for row in matrix():
        missing = [face for face in FACES if not row.covered(face)]
        if row.source.cloud in settings.clouds and missing:
            lines.append(
                f"- {row.source.label} ({row.source.cloud.value}): not {', '.join(missing)}"
            )
    other = [c.value for c in Cloud if c not in settings.clouds]
    if other:
        lines.append(f"- No readiness is provisioned for: {', '.join(other)}.")
    return lines


def markdown(settings: ReadinessSettings) -> str:
    lines = [
        "# Cloud incident response plan",
        "",
        "Generated by `prewire plan` from the control catalogue and the stack configuration. "
        "Review it with the people named here before an incident; regenerate it after every "
        "change to the stack.",
        "",
    ]
    if Cloud.AWS in settings.clouds and settings.aws is not None:
        lines += _aws_section(settings)
    if Cloud.AZURE in settings.clouds and settings.azure is not None:
        from prewire.plan.azure import azure_section

        lines += azure_section(settings)
    if Cloud.GCP in settings.clouds and settings.gcp is not None:
        from prewire.plan.gcp import gcp_section

        lines += gcp_section(settings)
    lines += _gaps(settings)
    return "\n".join(lines) + "\n"


def html(settings: ReadinessSettings) -> str:
    import html as escape

    body = []
    for line in markdown(settings).splitlines():
        text = escape.escape(line)
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{text.lstrip('# ')}</h{level}>")
        elif line.startswith("- "):
            body.append(f"<li>{text[2:]}</li>")
        elif line.startswith("|") and "---" not in line:
            cells = "".join(f"<td>{c.strip()}</td>" for c in text.strip("|").split("|"))
            body.append(f"<tr>{cells}</tr>")
        elif line:
            body.append(f"<p>{text}</p>")
    return (
        '<!doctype html><html><head><meta charset="utf-8"><title>Incident response plan'
        "</title></head><body>" + "\n".join(body) + "</body></html>\n"
    )
