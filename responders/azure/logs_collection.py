"""Collect what Azure logged about a resource in the case window.

- Activity Log (control plane, 90 days in Azure; the stack also archives it): every event of the
  resource and, for a VM, of its disks and network interfaces.
- For a VM, the VNet flow records of its interfaces (`flow_logs.py`).
- The prewired Log Analytics workspace, by resource kind: an AKS cluster's `AKSAudit`,
  `AKSAuditAdmin` and `AKSControlPlane` (kube-audit, kube-audit-admin and the API server) and a
  Function App's `FunctionAppLogs`, each queried for that resource only (`_ResourceId`).

A table that does not exist means its diagnostic setting was never on: that is reported as a
warning (the logs are not there to collect), not a failure.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from azure.core.exceptions import HttpResponseError
from azure.monitor.query import LogsQueryPartialResult, LogsQueryResult

from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.azure import ids
from responders.azure.case import AzureCase
from responders.azure.flow_logs import PERMISSIONS as FLOW_LOG_PERMISSIONS
from responders.azure.flow_logs import collect_flow_logs
from responders.azure.session import error_code, rest_json
from responders.azure.targets import VIRTUAL_MACHINE, describe_vm
from responders.azure.vm_isolation import attached_resources
from responders.registry import action, perms
from responders.runtime import Status, Step

WORKSPACE_API_VERSION = "2022-10-01"
TABLES_BY_KIND = {
    "microsoft.containerservice/managedclusters": ("AKSAudit", "AKSAuditAdmin", "AKSControlPlane"),
    "microsoft.web/sites": ("FunctionAppLogs",),
}


def _stamp(moment: datetime) -> str:
    # Full precision: a window ending "now" must include events from this very second.
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def activity_events(case: AzureCase, resource_id: str) -> list[dict[str, Any]]:
    start, end = case.options.window()
    query = (
        f"eventTimestamp ge '{_stamp(start)}' and eventTimestamp le '{_stamp(end)}' "
        f"and resourceUri eq '{resource_id}'"
    )
    return [rest_json(e) for e in case.clients.monitor.activity_logs.list(filter=query)]


def workspace_customer_id(case: AzureCase) -> str | None:
    """The prewired workspace's Workspace ID (what the query API takes), read once per run."""
    workspace = case.prewired.workspace_id
    if not workspace:
        return None

    def read() -> str:
        found = case.clients.resources.resources.get_by_id(
            workspace, api_version=WORKSPACE_API_VERSION
        )
        return str((found.properties or {}).get("customerId", ""))

    return case.shared("workspace-customer-id", read) or None


def query_table(
    case: AzureCase, workspace: str, table: str, resource_id: str, step: Step
) -> list[dict[str, Any]] | None:
    """Rows of `table` about the resource, or None when the workspace has no such table."""
    query = f'{table} | where _ResourceId =~ "{resource_id.lower()}" | order by TimeGenerated asc'
    try:
        result = case.clients.logs.query_workspace(workspace, query, timespan=case.options.window())
    except HttpResponseError as error:
        if "not found" in str(error).lower() or error_code(error) == "BadArgumentError":
            step.warn(f"no {table} table in the workspace: its diagnostic setting was never on")
            return None
        raise
    if isinstance(result, LogsQueryPartialResult):
        step.warn(f"{table}: partial result ({result.partial_error})")
        tables = result.partial_data
    else:
        assert isinstance(result, LogsQueryResult)
        tables = result.tables
    rows: list[dict[str, Any]] = []
    for found in tables:
        rows += [dict(zip(found.columns, row, strict=False)) for row in found.rows]
    return rows


@action(
    Cloud.AZURE,
    "collect-logs",
    summary="Activity Log events and workspace logs (AKS audit, FunctionAppLogs) of a resource",
    target_kind="resource",
    permissions=perms(
        "Microsoft.Compute/virtualMachines/read",
        "Microsoft.Insights/eventtypes/values/read",
        "Microsoft.OperationalInsights/workspaces/read",
        "Microsoft.OperationalInsights/workspaces/query/read",
        "Microsoft.OperationalInsights/workspaces/query/*/read",
        *FLOW_LOG_PERMISSIONS,
    ),
    destructive=False,
    produces=(
        EvidenceSource.AZURE_ACTIVITY_LOG,
        EvidenceSource.AKS_AUDIT_LOGS,
        EvidenceSource.AZURE_FUNCTION_LOGS,
        EvidenceSource.AZURE_FLOW_LOGS,
    ),
)
def collect_logs(case: AzureCase, target: str, step: Step) -> Status:
    resource = ids.parse(target)
    related = [target]
    vm = None
    if resource.kind.lower() == VIRTUAL_MACHINE.lower():
        vm = describe_vm(case, resource)
        related = attached_resources(vm)
    start, end = case.options.window()
    events = {rid: activity_events(case, rid) for rid in related}
    total = sum(len(found) for found in events.values())
    case.save_json(
        step,
        "activity-log.json",
        {"window": [_stamp(start), _stamp(end)], "events": events},
        f"Activity Log events of {len(related)} resource(s)",
    )
    summary = [f"{total} Activity Log event(s) for {len(related)} resource(s)"]
    if vm is not None:
        nics = [r for r in related if "/networkinterfaces/" in r.lower()]
        summary.append(f"{collect_flow_logs(case, vm, nics, step)} flow log hour blob(s)")
    tables = TABLES_BY_KIND.get(resource.kind.lower(), ())
    workspace = workspace_customer_id(case) if tables else None
    if tables and not workspace:
        step.warn("no prewired Log Analytics workspace: workspace logs not collected")
        tables = ()
    for table in tables:
        assert workspace is not None
        rows = query_table(case, workspace, table, target, step)
        if rows is None:
            continue
        case.save_json(step, f"{table}.json", rows, f"{table} rows of {resource.name}")
        summary.append(f"{len(rows)} {table} row(s)")
    step.note("; ".join(summary))
    return Status.COLLECTED
