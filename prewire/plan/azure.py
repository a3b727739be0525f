"""The Azure section of the incident response plan (`prewire plan`), from the Azure settings and
the `prewire:role` tags the Azure stack puts on what responders find."""

from __future__ import annotations

from prewire.core.vocabulary import ROLE_TAG, Cloud
from prewire.plan.engine import names, scenario_commands, section
from responders.azure.discovery import EVIDENCE_CONTAINER, Role
from stacks.azure.base import MAX_WORKSPACE_RETENTION_DAYS
from stacks.azure.detection import ALERT_SEVERITIES
from stacks.settings import ReadinessSettings


def _tagged(role: Role) -> str:
    return f"tagged `{ROLE_TAG}={role.value}`"


@section(Cloud.AZURE)
def azure_section(settings: ReadinessSettings) -> list[str]:
    azure = settings.azure
    assert azure is not None
    days = settings.retention_days
    alerted = settings.alert_email or "**nobody: set prewire:alertEmail**"
    used = (
        f"every administrative operation by {names(azure.break_glass_callers, 'none')}"
        if azure.break_glass_callers
        else "every role assignment change in the subscription"
    )
    automatic = (
        "`contain-instance` (snapshot and export disks, isolate, quarantine identities, logs)"
        if azure.auto_contain
        else "`preserve-instance`: evidence only; containment is a human decision "
        "(prewire:azure.autoContain=false)"
    )
    workspace_days = max(30, min(days, MAX_WORKSPACE_RETENTION_DAYS))
    return [
        "## Azure",
        "",
        "### Getting access",
        "",
        f"- Break glass: Entra group `{azure.break_glass_group_object_id}` holds the break-glass "
        f"role; {used} alerts {alerted}.",
        f"- Responders run as the managed identity {_tagged(Role.RESPONDER_IDENTITY)} in "
        f"`{azure.resource_group}`, with custom roles generated from what the responders declare; "
        f"also held by {names(azure.responder_principal_ids, 'none')}.",
        "",
        "### Evidence: where it is and for how long",
        "",
        f"- Activity Log: the storage account {_tagged(Role.AUDIT_STORE)}, locked immutability "
        f"policy, {days} days; and the Log Analytics workspace {_tagged(Role.LOG_WORKSPACE)}, "
        f"{workspace_days} days.",
        f"- Flow logs of {names(list(azure.networks), 'none')}; AKS audit logs of "
        f"{names(azure.aks_cluster_ids, 'none')}; Function logs of "
        f"{names(azure.function_app_ids, 'none')}: into the workspace.",
        f"- Responder artifacts: container `{EVIDENCE_CONTAINER}` of the storage account "
        f"{_tagged(Role.EVIDENCE_STORE)}, `cases/<case>/...`, locked {days} days, each with its "
        "SHA-256 and a hash-chained custody log (`prewire evidence verify <CASE>`); disk "
        "snapshots exported there as VHDs.",
        f"- Daily backups of disks tagged `{'='.join(azure.snapshot_tag)}`, kept "
        f"{azure.snapshot_retention_days} days.",
        "",
        "### Automatic response",
        "",
        f"Defender for Cloud alerts of severity {' or '.join(ALERT_SEVERITIES)} are exported to "
        f"the Event Hub {_tagged(Role.ALERT_HUB)}; the responder Function runs {automatic}, or "
        "`investigate-cluster` for an AKS cluster.",
        "",
        "### What to run",
        "",
        "| situation | command | what it does |",
        "| --- | --- | --- |",
        *[
            f"| {s} | `{c.replace('<s>', azure.subscription_id)} "
            f"--subscription {azure.subscription_id}` | {n} |"
            for s, c, n in scenario_commands(Cloud.AZURE)
        ],
        "",
        "Run with `--dry-run` first; releasing an instance or an identity needs `--yes`.",
        "",
    ]
