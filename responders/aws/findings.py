"""From a GuardDuty finding to the response: which playbook or action, on which targets."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from prewire.core.evidence.layout import CASES_ROOT, DRILLS_ROOT

UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Response:
    case_id: str
    kind: str  # "playbook" or "action"
    name: str
    targets: tuple[str, ...]
    reason: str


def case_id_for(finding: dict[str, Any]) -> str:
    return "gd-" + UNSAFE.sub("-", str(finding.get("id", "unknown")))[:100]


def evidence_root(finding: dict[str, Any]) -> str:
    """Where a finding's evidence goes: sample findings never mix with real cases.

    GuardDuty marks the findings of CreateSampleFindings, and prewire drills mark theirs, with
    `service.additionalInfo.sample`; their evidence goes under `drills/`.
    """
    sample = finding.get("service", {}).get("additionalInfo", {}).get("sample")
    return DRILLS_ROOT if str(sample).lower() == "true" else CASES_ROOT


def plan_response(finding: dict[str, Any], *, auto_contain: bool) -> Response | None:
    """The response to a finding (the `detail` of a GuardDuty EventBridge event), or None.

    Without auto-containment only evidence is collected; nothing about the workload changes.
    """
    resource = finding.get("resource", {})
    kind = resource.get("resourceType")
    case = case_id_for(finding)
    title = str(finding.get("type", "finding"))
    if kind == "Instance":
        instance = resource.get("instanceDetails", {}).get("instanceId")
        if instance:
            name = "contain-instance" if auto_contain else "preserve-instance"
            return Response(case, "playbook", name, (instance,), title)
    if kind == "AccessKey":
        details = resource.get("accessKeyDetails", {})
        user, user_type = details.get("userName"), details.get("userType")
        prefix = {"IAMUser": "user", "Role": "role", "AssumedRole": "role"}.get(str(user_type))
        if user and prefix:
            subject = f"{prefix}/{user}"
            if auto_contain:
                return Response(case, "playbook", "contain-credentials", (subject,), title)
            return Response(case, "action", "collect-logs", (subject,), title)
    if kind == "Lambda":
        function = resource.get("lambdaDetails", {}).get("functionName")
        if function:
            if auto_contain:
                return Response(case, "playbook", "freeze-function", (function,), title)
            return Response(case, "action", "preserve-function", (function,), title)
    if kind in ("EKSCluster", "Kubernetes"):
        cluster = resource.get("eksClusterDetails", {}).get("name")
        if cluster:
            return Response(case, "playbook", "investigate-cluster", (cluster,), title)
    if kind == "ECSCluster":
        details = resource.get("ecsClusterDetails", {})
        cluster = details.get("name")
        # A service's task carries group "service:<name>": collect that service, not the cluster.
        group = str(details.get("taskDetails", {}).get("group", ""))
        service = group.removeprefix("service:") if group.startswith("service:") else ""
        if cluster:
            target = f"{cluster}/{service}" if service else cluster
            return Response(case, "action", "collect-tasks", (target,), title)
    return None
