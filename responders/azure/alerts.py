"""From a Defender for Cloud security alert to the response: which playbook, on which targets.

The stack's continuous-export automation sends High and Medium alerts to its Event Hub in the
export schema (PascalCase: `AlertType`, `Severity`, `SystemAlertId`, `ResourceIdentifiers`
with `AzureResourceId`, `ExtendedProperties`). `respond_to_alert` is what a Function on that
hub, a pipeline reading it, and the drills run; it plans from the alert alone and acts through
the same registries as `prewire respond azure`.

Alerts that prewire drills raise carry `ExtendedProperties["prewire-drill"]`; their evidence goes
under `drills/` in the evidence store, never among real cases.
"""

from __future__ import annotations

import re
from typing import Any

from prewire.core.evidence.layout import CASES_ROOT, DRILLS_ROOT
from prewire.core.vocabulary import Cloud
from responders.azure.case import open_case
from responders.azure.session import AzureClients
from responders.azure.targets import MANAGED_CLUSTER, VIRTUAL_MACHINE
from responders.case import Options
from responders.registry import load_cloud
from responders.runner import PlaybookPlan, run_plan

DRILL_MARKER = "prewire-drill"
UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def case_id_for(alert: dict[str, Any]) -> str:
    return "dfc-" + UNSAFE.sub("-", str(alert.get("SystemAlertId", "unknown")))[:100]


def evidence_root(alert: dict[str, Any]) -> str:
    marked = (alert.get("ExtendedProperties") or {}).get(DRILL_MARKER)
    return DRILLS_ROOT if marked else CASES_ROOT


def affected_resources(alert: dict[str, Any]) -> list[str]:
    return [
        str(identifier["AzureResourceId"])
        for identifier in alert.get("ResourceIdentifiers") or []
        if str(identifier.get("Type", "")).lower() == "azureresource"
        and identifier.get("AzureResourceId")
    ]


def _of_type(resource_ids: list[str], arm_type: str) -> tuple[str, ...]:
    # "/providers/Microsoft.Compute/virtualMachines/<name>" with nothing after the name.
    marker = f"/providers/{arm_type}/".lower()
    return tuple(
        r for r in resource_ids if marker in r.lower() and "/" not in r.lower().split(marker)[1]
    )


def plan_response(alert: dict[str, Any], *, auto_contain: bool) -> PlaybookPlan | None:
    """The playbook for an alert, or None when no resource it names has a responder.

    Without auto-containment only evidence is collected; nothing about the workload changes.
    """
    resources = affected_resources(alert)
    case = case_id_for(alert)
    reason = f"{alert.get('AlertType', 'alert')} ({alert.get('Severity', 'unknown')})"
    vms = _of_type(resources, VIRTUAL_MACHINE)
    if vms:
        name = "contain-instance" if auto_contain else "preserve-instance"
        return PlaybookPlan(case, name, vms, reason)
    clusters = _of_type(resources, MANAGED_CLUSTER)
    if clusters:
        return PlaybookPlan(case, "investigate-cluster", clusters, reason)
    return None


def respond_to_alert(
    alert: dict[str, Any],
    clients: AzureClients,
    *,
    auto_contain: bool,
    options: Options | None = None,
) -> dict[str, Any]:
    """Run the planned playbook; the result has the AWS handler's shape (drills read both)."""
    load_cloud(Cloud.AZURE)
    plan = plan_response(alert, auto_contain=auto_contain)
    if plan is None:
        return {
            "handled": False,
            "reason": f"no responder for the resources of alert {alert.get('SystemAlertId')}",
        }
    root = evidence_root(alert)
    case = open_case(clients, plan.case_id, options=options, root=root)
    return run_plan(Cloud.AZURE, case, plan, root)
