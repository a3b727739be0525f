"""Collect the Cloud Logging entries of a GCE instance, a Cloud Run service or a GKE cluster, and
of their service accounts, in a window.

One `entries:list` query over the project: the workload's own logs (an instance's serial port and
agents; a service's request and container logs from every revision; a cluster's control-plane
components, nodes, pods and containers), the audit log entries naming it, and every entry in
which its service accounts acted (what a stolen token did elsewhere in the project). Data Access
entries need `logging.privateLogEntries.list`. Entries are stored as one JSON object per line,
with the filter that selected them. Cloud Logging's REST API is called through the authorized
session (its client library defaults to gRPC), so the endpoint override and the custody
recording apply.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.gcp import ids
from responders.gcp.case import GcpCase
from responders.gcp.permissions import PERMISSIONS
from responders.gcp.session import RestError
from responders.gcp.targets import describe, describe_service
from responders.registry import action, perms
from responders.runtime import ActionFailed, Status, Step

PAGE_SIZE = 1000
MAX_ENTRIES = 200_000
# VPC Flow Logs records: subnet-level configurations write the first log, Network Management API
# configurations (what the stack creates) are read from both, so either kind is found.
FLOW_LOG_IDS = (
    "compute.googleapis.com%2Fvpc_flows",
    "networkmanagement.googleapis.com%2Fvpc_flows",
)


def _stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def instance_filter(project: str, instance: dict[str, Any], start: datetime, end: datetime) -> str:
    """The instance's own logs, audit entries naming it, its accounts' actions, and the VPC flow
    records in which it is the source or the destination."""
    own = f'(resource.type="gce_instance" AND resource.labels.instance_id="{instance["id"]}")'
    accounts = [a["email"] for a in instance.get("serviceAccounts") or [] if a.get("email")]
    zone = str(instance.get("zone", "")).rsplit("/", 1)[-1]
    logs = " OR ".join(f'logName="projects/{project}/logs/{log}"' for log in FLOW_LOG_IDS)
    ends = " OR ".join(
        f'(jsonPayload.{side}_instance.vm_name="{instance["name"]}" '
        f'AND jsonPayload.{side}_instance.zone="{zone}")'
        for side in ("src", "dest")
    )
    flows = f"(({logs}) AND ({ends}))"
    return _filter(own, f"instances/{instance['name']}", accounts, start, end, flows)


def service_filter(
    ref: ids.ServiceRef, service: dict[str, Any], start: datetime, end: datetime
) -> str:
    """Every revision's logs (Cloud Run labels them with the service name), the audit entries
    naming the service, and what its runtime service account did."""
    own = (
        f'(resource.type="cloud_run_revision" AND resource.labels.service_name="{ref.name}" '
        f'AND resource.labels.location="{ref.location}")'
    )
    account = (service.get("template") or {}).get("serviceAccount")
    return _filter(own, f"services/{ref.name}", [account] if account else [], start, end)


def cluster_filter(ref: ids.ClusterRef, start: datetime, end: datetime) -> str:
    """Every k8s_* resource of the cluster (control-plane components, nodes, pods, containers:
    all carry the cluster's name and location) and the audit entries naming the cluster."""
    own = (
        f'(resource.labels.cluster_name="{ref.name}" AND resource.labels.location="{ref.location}")'
    )
    return _filter(own, f"clusters/{ref.name}", [], start, end)


def _filter(
    own: str, named: str, accounts: list[str], start: datetime, end: datetime, *more: str
) -> str:
    about = [
        own,
        *more,
        f'protoPayload.resourceName:"{named}"',
        *(f'protoPayload.authenticationInfo.principalEmail="{a}"' for a in accounts),
    ]
    window = f'timestamp>="{_stamp(start)}" AND timestamp<="{_stamp(end)}"'
    return f"{window} AND ({' OR '.join(about)})"


def list_entries(case: GcpCase, query: str, step: Step) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        body: dict[str, Any] = {
            "resourceNames": [f"projects/{case.clients.project}"],
            "filter": query,
            "orderBy": "timestamp asc",
            "pageSize": PAGE_SIZE,
        }
        if token:
            body["pageToken"] = token
        try:
            page = case.clients.call("logging", "POST", "/v2/entries:list", body=body)
        except RestError as error:
            raise ActionFailed(f"entries:list: {error.status} {error.text}") from error
        entries += page.get("entries", [])
        token = page.get("nextPageToken")
        if not token:
            return entries
        if len(entries) >= MAX_ENTRIES:
            step.warn(f"stopped at {len(entries)} entries: narrow the window (--since/--until)")
            return entries


@action(
    Cloud.GCP,
    "collect-logs",
    summary="Cloud Logging entries of an instance, Cloud Run service or GKE cluster",
    target_kind="workload",
    permissions=perms(*PERMISSIONS["collect-logs"]),
    destructive=False,
    produces=(
        EvidenceSource.GCP_AUDIT_LOGS,
        EvidenceSource.CLOUD_RUN_LOGS,
        EvidenceSource.GKE_LOGS,
        EvidenceSource.GCP_FLOW_LOGS,
    ),
)
def collect_logs(case: GcpCase, target: str, step: Step) -> Status:
    earlier = case.collected_before(step.action, target)
    if earlier:
        step.note(f"logs already collected at {earlier}")
        return Status.UNCHANGED
    start, end = case.options.window()
    ref = ids.workload(target)
    if isinstance(ref, ids.ServiceRef):
        query = service_filter(ref, describe_service(case, ref), start, end)
    elif isinstance(ref, ids.ClusterRef):
        query = cluster_filter(ref, start, end)
    else:
        query = instance_filter(case.clients.project, describe(case, ref), start, end)
    if case.dry_run:
        step.planned_artifact("logs.jsonl")
        return Status.PLANNED
    entries = list_entries(case, query, step)
    flows = [e for e in entries if _is_flow_record(e)]
    logs = [e for e in entries if not _is_flow_record(e)]
    case.save(step, "logs.jsonl", _jsonl(logs), f"{len(logs)} Cloud Logging entries")
    if flows:
        case.save(step, "flow-logs.jsonl", _jsonl(flows), f"{len(flows)} VPC flow records")
    case.save_json(step, "query.json", {"filter": query, "entries": len(entries)}, "the filter")
    step.note(
        f"{len(logs)} log entries and {len(flows)} flow records "
        f"from {_stamp(start)} to {_stamp(end)}"
    )
    return Status.COLLECTED


def _is_flow_record(entry: dict[str, Any]) -> bool:
    return str(entry.get("logName", "")).endswith(FLOW_LOG_IDS)


def _jsonl(entries: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(e, sort_keys=True) + "\n" for e in entries).encode()
