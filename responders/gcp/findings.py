"""From a Security Command Center notification to the response: which playbook, on which target.

The stack streams HIGH and CRITICAL active findings to Pub/Sub; each message is a
`NotificationMessage` (`{"notificationConfigName", "finding": {...}, "resource": {...}}`).
`respond_to_finding` plans from the finding alone (its `resourceName`) and acts through the same
registries as `prewire respond gcp`; a subscriber on the stack's subscription, a pipeline, or the
drills run it. Findings carrying `sourceProperties["prewire-drill"]` keep their evidence under
`drills/`.
"""

from __future__ import annotations

import re
from typing import Any

from prewire.core.evidence.layout import CASES_ROOT, DRILLS_ROOT
from prewire.core.vocabulary import Cloud
from responders.case import Options
from responders.gcp.case import open_case
from responders.gcp.session import GcpClients
from responders.registry import load_cloud
from responders.runner import PlaybookPlan, run_plan

DRILL_MARKER = "prewire-drill"
UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
INSTANCE = re.compile(r"^//compute\.googleapis\.com/(projects/[^/]+/zones/[^/]+/instances/[^/]+)$")
SERVICE = re.compile(r"^//run\.googleapis\.com/(projects/[^/]+/locations/[^/]+/services/[^/]+)$")
CLUSTER = re.compile(
    r"^//container\.googleapis\.com/(projects/[^/]+/(?:locations|zones)/[^/]+/clusters/[^/]+)$"
)


def case_id_for(finding: dict[str, Any]) -> str:
    return "scc-" + UNSAFE.sub("-", str(finding.get("name", "unknown")).rsplit("/", 1)[-1])[:100]


def evidence_root(finding: dict[str, Any]) -> str:
    marked = (finding.get("sourceProperties") or {}).get(DRILL_MARKER)
    return DRILLS_ROOT if marked else CASES_ROOT


def plan_response(finding: dict[str, Any], *, auto_contain: bool) -> PlaybookPlan | None:
    """The playbook for a finding, or None when its resource has no responder. Instances are
    contained (or only preserved); Cloud Run services and GKE clusters are only collected from."""
    resource = str(finding.get("resourceName", ""))
    reason = f"{finding.get('category', 'finding')} ({finding.get('severity', 'unknown')})"
    case = case_id_for(finding)
    if found := INSTANCE.fullmatch(resource):
        name = "contain-instance" if auto_contain else "preserve-instance"
        return PlaybookPlan(case, name, (found.group(1),), reason)
    if found := SERVICE.fullmatch(resource):
        return PlaybookPlan(case, "preserve-service", (found.group(1),), reason)
    if found := CLUSTER.fullmatch(resource):
        # SCC names zonal clusters under zones/; the Container API takes them as locations/.
        cluster = found.group(1).replace("/zones/", "/locations/")
        return PlaybookPlan(case, "investigate-cluster", (cluster,), reason)
    return None


def respond_to_finding(
    message: dict[str, Any],
    clients: GcpClients,
    *,
    auto_contain: bool,
    options: Options | None = None,
) -> dict[str, Any]:
    load_cloud(Cloud.GCP)
    finding = message.get("finding") or {}
    plan = plan_response(finding, auto_contain=auto_contain)
    if plan is None:
        return {"handled": False, "reason": f"no responder for {finding.get('resourceName')}"}
    root = evidence_root(finding)
    case = open_case(clients, plan.case_id, options=options, root=root)
    return run_plan(Cloud.GCP, case, plan, root)
