"""Live checks for the Azure controls: the subscription read back as a graph, judged by the
static rules.

pulumi-azure-native's inputs are ARM's properties flattened, so what ARM returns is turned into
the resources a rendered program would hold (same type tokens, same input names, the naming
inputs recovered from the ids) and the same rule functions decide, once: a live finding and a
static one about the same control cannot disagree by construction. The only translation is for
what exists solely at deploy time: a container's immutability policy that Azure reports
`Locked` stands for the stack's deploy-time lock.

The responder pre-flight (AZURE-RESP-001) also checks that the prewired responder identity
holds the roles, not only that the roles exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from azure.core.exceptions import HttpResponseError, ServiceRequestError

from policies.live.engine import CheckContext, LiveVerdict, failed, live_check, passed
from policies.live.graph_judge import LiveGraph, judge, rule_ids
from prewire.core import tokens as t
from prewire.core.azure.arm_template import NAMED_ITEMS, RENAMES, TOP_LEVEL
from prewire.core.azure.arm_types import ARM_TYPES, ArmType
from prewire.core.graph import Graph, Resource
from responders.azure.discovery import Prewired
from responders.azure.session import AzureClients, error_code, is_api_gap

BY_ARM_TYPE: dict[str, tuple[str, ArmType]] = {
    arm.type.lower(): (token, arm) for token, arm in ARM_TYPES.items()
}
INVERSE_RENAMES = {kind: {v: k for k, v in names.items()} for kind, names in RENAMES.items()}
# Collections read at subscription scope (type, API version).
SUBSCRIPTION_LISTS = (
    ("Microsoft.Storage/storageAccounts", "2024-01-01"),
    ("Microsoft.OperationalInsights/workspaces", "2023-09-01"),
    ("Microsoft.Network/virtualNetworks", "2024-05-01"),
    ("Microsoft.Network/networkSecurityGroups", "2024-05-01"),
    ("Microsoft.Network/networkWatchers", "2024-05-01"),
    ("Microsoft.Security/pricings", "2024-01-01"),
    ("Microsoft.Security/automations", "2023-12-01-preview"),
    ("Microsoft.DataProtection/backupVaults", "2024-04-01"),
    ("Microsoft.Authorization/policyAssignments", "2024-04-01"),
    ("Microsoft.Authorization/roleDefinitions", "2022-04-01"),
    ("Microsoft.Authorization/roleAssignments", "2022-04-01"),
    ("Microsoft.Insights/activityLogAlerts", "2020-10-01"),
    ("Microsoft.Insights/diagnosticSettings", "2021-05-01-preview"),
    ("Microsoft.ContainerService/managedClusters", "2024-09-01"),
    ("Microsoft.Compute/virtualMachines", "2024-07-01"),
    ("Microsoft.Web/sites", "2023-12-01"),
    ("Microsoft.ManagedIdentity/userAssignedIdentities", "2023-01-31"),
)


@dataclass(kw_only=True)
class AzureLiveContext(CheckContext):
    clients: AzureClients
    prewired: Prewired

    @property
    def subscription(self) -> str:
        return self.clients.subscription_id

    def location(self, account_wide: bool) -> dict[str, str]:
        return {"subscription": self.subscription, "region": "global"}

    def explain(self, error: Exception) -> str | None:
        if isinstance(error, HttpResponseError):
            response: Any = error.response
            where = str(response.request.url).split("?")[0] if response is not None else "a call"
            operation = where.split("/providers/")[-1] if "/providers/" in where else where
            if is_api_gap(error):
                return f"{operation} is not available on this target"
            if error.status_code == 403:
                return f"not permitted to read {operation} ({error_code(error)})"
            return f"{operation} failed: {error_code(error)}"
        if isinstance(error, ServiceRequestError):
            return f"Azure did not answer: {error}"
        return None


def as_resource(arm: dict[str, Any]) -> Resource | None:
    """An ARM resource as the rendered azure-native resource it corresponds to."""
    found = BY_ARM_TYPE.get(str(arm.get("type", "")).lower())
    if found is None:
        return None
    token, kind = found
    resource_id = str(arm["id"])
    if token == t.AZ_DIAGNOSTIC_SETTING and _scope_of(resource_id).count("/") == 2:
        token, kind = t.AZ_SUBSCRIPTION_DIAGNOSTICS, ARM_TYPES[t.AZ_SUBSCRIPTION_DIAGNOSTICS]
    inputs: dict[str, Any] = {k: v for k, v in arm.items() if k in TOP_LEVEL}
    renames = INVERSE_RENAMES.get(kind.type, {})
    for key, value in (arm.get("properties") or {}).items():
        if key in NAMED_ITEMS and isinstance(value, list):
            value = [_flat(item) for item in value]
        inputs[renames.get(key, key)] = value
    if token == t.AZ_BACKUP_VAULT:
        inputs["properties"] = arm.get("properties") or {}  # azure-native keeps them nested
    inputs.update(_naming(kind, resource_id))
    return Resource(
        urn=f"live::{token}::{resource_id}",
        type=token,
        name=str(arm.get("name") or resource_id.rsplit("/", 1)[-1]),
        inputs=inputs,
        outputs={"id": resource_id, "name": resource_id.rsplit("/", 1)[-1]},
    )


def _flat(item: Any) -> Any:
    if isinstance(item, dict) and isinstance(item.get("properties"), dict):
        return {"name": item.get("name"), **item["properties"]}
    return item


def _scope_of(resource_id: str) -> str:
    return resource_id[: resource_id.lower().rfind("/providers/")]


def _naming(kind: ArmType, resource_id: str) -> dict[str, str]:
    """The naming inputs (accountName, containerName, scope ...) recovered from the id."""
    marker = resource_id.lower().rfind("/providers/")
    scope, path = resource_id[:marker], resource_id[marker + len("/providers/") :]
    segments = path.split("/")[1:][1::2]  # the names after each type
    names = {key: value for key, value in zip(kind.names, segments, strict=False) if key[0] != "="}
    parts = resource_id.split("/")
    lowered = [p.lower() for p in parts]
    if "resourcegroups" in lowered:
        names["resourceGroupName"] = parts[lowered.index("resourcegroups") + 1]
    if kind.scope.startswith("input:"):
        names[kind.scope.split(":", 1)[1]] = scope
    return names


def _token_of(arm_type: str) -> str:
    found = BY_ARM_TYPE.get(arm_type.lower())
    return found[0] if found else arm_type


class _Reader:
    """Reads what the rules need, recording what could not be read instead of stopping."""

    def __init__(self, ctx: AzureLiveContext) -> None:
        self.ctx = ctx
        self.found: list[dict[str, Any]] = []
        self.gaps: dict[str, str] = {}

    def collection(self, arm_type: str, path: str, version: str) -> list[dict[str, Any]]:
        try:
            items = self.ctx.clients.arm_list(path, version)
        except (HttpResponseError, ServiceRequestError) as error:
            self._gap(arm_type, error)
            return []
        self.found += items
        return items

    def get(self, arm_type: str, path: str, version: str) -> dict[str, Any] | None:
        try:
            item = self.ctx.clients.arm_get(path, version)
        except (HttpResponseError, ServiceRequestError) as error:
            self._gap(arm_type, error)
            return None
        if item:
            self.found.append(item)
        return item

    def _gap(self, arm_type: str, error: Exception) -> None:
        reason = self.ctx.explain(error) or str(error)
        self.gaps.setdefault(_token_of(arm_type), reason)

    def of(self, suffix: str) -> list[dict[str, Any]]:
        return [r for r in self.found if str(r.get("type", "")).lower().endswith(suffix)]


def live_graph(ctx: AzureLiveContext) -> LiveGraph:
    """The subscription as a graph: one list per type, and the children the rules need."""

    def build() -> LiveGraph:
        read, root = _Reader(ctx), f"/subscriptions/{ctx.subscription}"
        for arm_type, version in SUBSCRIPTION_LISTS:
            read.collection(arm_type, f"{root}/providers/{arm_type}", version)
        for account in read.of("/storageaccounts"):
            _storage_children(read, account["id"])
            read.collection(
                "Microsoft.Authorization/locks",
                f"{account['id']}/providers/Microsoft.Authorization/locks",
                "2020-05-01",
            )
        for watcher in read.of("/networkwatchers"):
            read.collection(
                "Microsoft.Network/networkWatchers/flowLogs",
                f"{watcher['id']}/flowLogs",
                "2024-05-01",
            )
        for target in read.of("/managedclusters") + read.of("/sites"):
            read.collection(
                "Microsoft.Insights/diagnosticSettings",
                f"{target['id']}/providers/Microsoft.Insights/diagnosticSettings",
                "2021-05-01-preview",
            )
        resources = [r for arm in _unique(read.found) if (r := as_resource(arm)) is not None]
        return LiveGraph(Graph(resources=resources + _locked_policies(resources)), read.gaps)

    return ctx.once("live-graph", build)


def _storage_children(read: _Reader, account_id: str) -> None:
    service = "Microsoft.Storage/storageAccounts/blobServices"
    read.get(service, f"{account_id}/blobServices/default", "2024-01-01")
    containers = read.collection(
        f"{service}/containers", f"{account_id}/blobServices/default/containers", "2024-01-01"
    )
    for container in containers:
        read.get(
            f"{service}/containers/immutabilityPolicies",
            f"{container['id']}/immutabilityPolicies/default",
            "2024-01-01",
        )


def _locked_policies(resources: list[Resource]) -> list[Resource]:
    """A policy Azure reports Locked stands for the stack's deploy-time lock of it."""
    return [
        Resource(
            urn=f"live::lock::{policy.id}",
            type=t.DYNAMIC_RESOURCE,
            name=f"{policy.name}-locked",
            inputs={
                "account_name": policy.get("accountName"),
                "container_name": policy.get("containerName"),
                "state": "Locked",
            },
            outputs={"id": f"{policy.id}/locked"},
        )
        for policy in resources
        if policy.type == t.AZ_IMMUTABILITY_POLICY and policy.get("state") == "Locked"
    ]


def _unique(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list({str(r["id"]).lower(): r for r in found if r.get("id")}.values())


def _judge(control_id: str, ctx: AzureLiveContext) -> list[LiveVerdict]:
    return judge(control_id, live_graph(ctx), ctx.retention_days)


def _register(control_id: str) -> None:
    live_check(control_id, account_wide=True)(lambda ctx: _judge(control_id, ctx))


def register_all() -> None:
    for control_id in rule_ids("AZURE-"):
        if control_id != "AZURE-RESP-001":
            _register(control_id)


register_all()


@live_check("AZURE-RESP-001", account_wide=True)
def responder_ready(ctx: AzureLiveContext) -> list[LiveVerdict]:
    """The responder pre-flight: roles that cover the responders, held by the identity."""
    verdicts = _judge("AZURE-RESP-001", ctx)
    identity = ctx.prewired.responder_identity_id
    if not identity:
        return [*verdicts, failed(None, "no responder identity tagged prewire:role")]
    found = ctx.clients.arm_get(identity, "2023-01-31")
    principal = (found or {}).get("properties", {}).get("principalId")
    graph = live_graph(ctx).graph
    responder_roles = {
        str(r.id).lower()
        for r in graph.of_type(t.AZ_ROLE_DEFINITION)
        if "responder" in str(r.get("roleName")).lower()
    }
    held = {
        str(a.get("roleDefinitionId")).lower()
        for a in graph.of_type(t.AZ_ROLE_ASSIGNMENT)
        if a.get("principalId") == principal
    }
    missing = responder_roles - held
    if not principal or missing:
        return [*verdicts, failed(identity, f"the responder identity lacks {len(missing)} role(s)")]
    return [*verdicts, passed(identity, "the responder identity holds the responder roles")]
