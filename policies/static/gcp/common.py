"""What the GCP rules share: the labels and limits prewire reads, and how a graph's sinks,
stores and networks are found."""

from __future__ import annotations

from typing import Any

from policies.static.engine import as_list
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource

ROLE_LABEL = "prewire-role"


STORE_ROLES = ("evidence-store", "audit-store")


AUDIT_LOG_TYPES = frozenset({"ADMIN_READ", "DATA_READ", "DATA_WRITE"})


SECONDS_PER_DAY = 86_400


MAX_LOG_BUCKET_DAYS = 3650


QUARANTINE_TAG = "prewire-quarantine"


GKE_COMPONENTS = frozenset(
    {"SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"}
)


NETWORK_USERS = (t.GCP_FIREWALL, t.GCP_SUBNETWORK, t.GCP_FLOW_LOGS_CONFIG, t.GCP_INSTANCE)


NETWORK_OWNERS = (t.GCP_SUBNETWORK, t.GCP_FLOW_LOGS_CONFIG)


def _labels(resource: Resource) -> dict[str, str]:
    found = resource.get("labels") or {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _name(resource: Resource) -> str:
    return str(resource.get("name") or resource.outputs.get("name") or resource.name)


def _last(reference: Any) -> str:
    return str(reference or "").rstrip("/").rsplit("/", 1)[-1]


def _sink_buckets(graph: Graph) -> set[str]:
    return {
        str(s.get("destination")).removeprefix("storage.googleapis.com/")
        for s in graph.of_type(t.GCP_LOG_SINK)
        if str(s.get("destination")).startswith("storage.googleapis.com/")
    }


def _is_store(bucket: Resource, graph: Graph) -> bool:
    return _labels(bucket).get(ROLE_LABEL) in STORE_ROLES or _name(bucket) in _sink_buckets(graph)


def _locked_for(bucket: Resource, days: int) -> str | None:
    policy = bucket.get("retentionPolicy") or {}
    held = int(policy.get("retentionPeriod") or 0) // SECONDS_PER_DAY
    if held < days:
        return f"retention {held} days, required {days}"
    if policy.get("isLocked") is not True:
        return "retention policy not locked"
    return None


def _interface_networks(instance: Resource) -> list[str]:
    return [_last(i.get("network")) for i in as_list(instance.get("networkInterfaces")) if i]


def _networks(graph: Graph, *, owned_only: bool = False) -> dict[str, Resource]:
    """Every network the program declares or refers to, by name, with the resource naming it.

    `owned_only`: the networks it declares and those it adds subnetworks or flow logs to, not
    those its instances and firewall rules merely join (for a workload program)."""
    found: dict[str, Resource] = {_name(n): n for n in graph.of_type(t.GCP_NETWORK)}
    users = NETWORK_OWNERS if owned_only else NETWORK_USERS
    for token in users:
        for user in graph.of_type(token):
            names = (
                _interface_networks(user)
                if token == t.GCP_INSTANCE
                else [_last(user.get("network"))]
            )
            for name in names:
                if name:
                    found.setdefault(name, user)
    return found
