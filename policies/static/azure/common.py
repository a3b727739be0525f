"""What the Azure rules share: the tags and limits prewire reads, and how a graph's stores,
containers and diagnostic settings are found."""

from __future__ import annotations

from typing import Any

from policies.static.engine import as_list
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource
from prewire.core.vocabulary import ROLE_TAG

STORE_ROLES = ("evidence-store", "audit-store")


ACTIVITY_LOG_CATEGORIES = frozenset(
    {
        "Administrative",
        "Security",
        "ServiceHealth",
        "Alert",
        "Recommendation",
        "Policy",
        "Autoscale",
        "ResourceHealth",
    }
)


ACTIVITY_LOG_CONTAINER = "insights-activity-logs"


AKS_AUDIT = frozenset({"kube-audit", "kube-audit-admin"})


MAX_WORKSPACE_DAYS = 730


MAX_IMMUTABILITY_DAYS = 146_000


MAX_FLOW_LOG_DAYS = 365


DISK_BACKUP_POLICIES = (
    "7b5a3b1d-d2e1-4c0b-9f3b-ad0b9a2283f4",  # disks with a given tag -> Backup vault
    "345fa903-145c-4fe1-8bcd-93ec2adccde8",  # VMs with a given tag -> Recovery Services vault
)


def _tags(resource: Resource) -> dict[str, str]:
    tags = resource.get("tags") or {}
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}


def _refers(resource: Resource, key: str, target: Resource, *values: Any) -> bool:
    """Whether `resource.key` points at `target` (by one of `values`, or by dependency)."""
    wanted = {str(v) for v in values if v}
    return str(resource.get(key)) in wanted or target.urn in resource.property_dependencies.get(
        key, ()
    )


def _name(account: Resource) -> str:
    return str(account.get("accountName") or account.outputs.get("name") or account.name)


def _stores(graph: Graph) -> list[Resource]:
    return [
        a
        for a in graph.of_type(t.AZ_STORAGE_ACCOUNT)
        if _tags(a).get(ROLE_TAG) in STORE_ROLES
        or any(word in a.name.lower() for word in ("evidence", "audit"))
    ]


def _of_account(graph: Graph, token: str, account: Resource) -> list[Resource]:
    return [r for r in graph.of_type(token) if _refers(r, "accountName", account, _name(account))]


def _container_name(container: Resource) -> str:
    return str(container.get("containerName") or container.outputs.get("name") or container.name)


def _policy(graph: Graph, account: Resource, container: Resource) -> Resource | None:
    name = _container_name(container)
    for policy in _of_account(graph, t.AZ_IMMUTABILITY_POLICY, account):
        if _refers(policy, "containerName", container, name):
            return policy
    return None


def _locked(graph: Graph, account: Resource, container: Resource) -> bool:
    """Whether a deploy-time lock (prewire's dynamic resource) covers the container's policy."""
    for lock in graph.of_type(t.DYNAMIC_RESOURCE):
        if not lock.get("container_name"):
            continue
        if _refers(lock, "account_name", account, _name(account)) and _refers(
            lock, "container_name", container, _container_name(container)
        ):
            return True
    return False


def _categories(setting: Resource) -> set[str]:
    return {
        str(log.get("category"))
        for log in as_list(setting.get("logs"))
        if isinstance(log, dict) and log.get("enabled")
    }


def _targets(setting: Resource, target: Resource) -> bool:
    return _refers(setting, "resourceUri", target, target.id)
