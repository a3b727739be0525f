"""The deployed responder function's entry point: GuardDuty finding in, evidence out.

`respond_to_event` is what the function and the drills both run; `handle` only builds the
clients from the function's environment. Only boto3 and the standard library are imported on
this path (the function's runtime has nothing else).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from prewire.core.vocabulary import Cloud
from responders.aws.case import Options
from responders.aws.findings import evidence_root, plan_response
from responders.aws.opening import open_case
from responders.aws.session import AwsClients
from responders.registry import load_cloud
from responders.runner import run_response

log = logging.getLogger("prewire.responders")
AUTO_CONTAIN_ENV = "PREWIRE_AUTO_CONTAIN"


def respond_to_event(
    event: dict[str, Any],
    clients: AwsClients,
    *,
    auto_contain: bool,
    options: Options | None = None,
) -> dict[str, Any]:
    load_cloud(Cloud.AWS)
    finding = event.get("detail", {})
    plan = plan_response(finding, auto_contain=auto_contain)
    if plan is None:
        kind = finding.get("resource", {}).get("resourceType")
        log.warning("no responder for resource type %s (finding %s)", kind, finding.get("id"))
        return {"handled": False, "reason": f"no responder for resource type {kind}"}
    root = evidence_root(finding)
    case = open_case(clients, plan.case_id, options=options, root=root)
    return run_response(
        Cloud.AWS,
        case,
        kind=plan.kind,
        name=plan.name,
        targets=plan.targets,
        reason=plan.reason,
        evidence_root=root,
    )


def handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    logging.getLogger().setLevel(logging.INFO)
    region = str(event.get("region") or os.environ.get("AWS_REGION", "us-east-1"))
    auto_contain = os.environ.get(AUTO_CONTAIN_ENV, "false").lower() == "true"
    result = respond_to_event(event, AwsClients(region=region), auto_contain=auto_contain)
    log.info("prewire response: %s", {k: v for k, v in result.items() if k != "outcomes"})
    if result.get("handled") and not result.get("ok"):
        # Raising makes EventBridge retry and, after the retries, dead-letter the event.
        raise RuntimeError(
            f"prewire response for case {result['case']} incomplete; see custody log"
        )
    return result
