"""Evidence stores (immutability, HTTPS, versions, locks, keys), backup vaults and disk backup."""

from __future__ import annotations

from typing import Any

from policies.static.azure.common import (
    DISK_BACKUP_POLICIES,
    MAX_IMMUTABILITY_DAYS,
    STORE_ROLES,
    _locked,
    _of_account,
    _policy,
    _refers,
    _stores,
    _tags,
)
from policies.static.engine import NOT_APPLICABLE, Context, Verdict, graph_rule, resource_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource
from prewire.core.vocabulary import ROLE_TAG


def _containers_of_stores(graph: Graph) -> list[tuple[Resource, Resource]]:
    return [(a, c) for a in _stores(graph) for c in _of_account(graph, t.AZ_BLOB_CONTAINER, a)]


@graph_rule("AZURE-STORE-001", t.AZ_STORAGE_ACCOUNT, t.AZ_BLOB_CONTAINER, t.AZ_IMMUTABILITY_POLICY)
def containers_immutable(graph: Graph, context: Context) -> list[Verdict]:
    verdicts = []
    required = min(context.retention_days, MAX_IMMUTABILITY_DAYS)
    for account in _stores(graph):
        containers = _of_account(graph, t.AZ_BLOB_CONTAINER, account)
        if not containers:
            verdicts.append(Verdict(account, f"{account.name} has no container under a policy"))
        for container in containers:
            policy = _policy(graph, account, container)
            days = int(policy.get("immutabilityPeriodSinceCreationInDays") or 0) if policy else 0
            if policy is None:
                verdicts.append(Verdict(container, f"{container.name}: no immutability policy"))
            elif days < required:
                verdicts.append(
                    Verdict(
                        container, f"{container.name}: retained {days} days, required {required}"
                    )
                )
            else:
                verdicts.append(Verdict(container, None, f"{container.name}: {days} days"))
    return verdicts


@graph_rule("AZURE-STORE-002", t.AZ_STORAGE_ACCOUNT, t.AZ_BLOB_CONTAINER, t.AZ_IMMUTABILITY_POLICY)
def policies_locked(graph: Graph, context: Context) -> list[Verdict]:
    verdicts = []
    for account, container in _containers_of_stores(graph):
        if _policy(graph, account, container) is None:
            continue  # AZURE-STORE-001 reports it
        verdicts.append(
            Verdict(container, None, f"{container.name}: policy locked at deploy time")
            if _locked(graph, account, container)
            else Verdict(container, f"{container.name}: the immutability policy is never locked")
        )
    return verdicts


@resource_rule("AZURE-STORE-003", t.AZ_STORAGE_ACCOUNT)
def https_only(account: Resource, context: Context) -> str | None:
    problems = []
    if account.get("enableHttpsTrafficOnly") is not True:
        problems.append("HTTPS-only is not set")
    if account.get("minimumTlsVersion") not in ("TLS1_2", "TLS1_3"):
        problems.append(f"minimum TLS is {account.get('minimumTlsVersion') or 'the default'}")
    return "; ".join(problems) or None


@resource_rule("AZURE-STORE-004", t.AZ_STORAGE_ACCOUNT)
def no_public_blobs(account: Resource, context: Context) -> str | None:
    return None if account.get("allowBlobPublicAccess") is False else "public blob access allowed"


@graph_rule("AZURE-STORE-005", t.AZ_STORAGE_ACCOUNT, t.AZ_BLOB_SERVICE)
def versions_kept(graph: Graph, context: Context) -> list[Verdict]:
    verdicts = []
    for account in _stores(graph):
        services = _of_account(graph, t.AZ_BLOB_SERVICE, account)
        missing = ["versioning", "blob soft delete", "container soft delete"]
        for service in services:
            if service.get("isVersioningEnabled") is True:
                missing.remove("versioning")
            if (service.get("deleteRetentionPolicy") or {}).get("enabled"):
                missing.remove("blob soft delete")
            if (service.get("containerDeleteRetentionPolicy") or {}).get("enabled"):
                missing.remove("container soft delete")
        verdicts.append(
            Verdict(account, f"{account.name}: no {', '.join(missing)}")
            if missing
            else Verdict(account, None, f"{account.name}: versions and deletes kept")
        )
    return verdicts


@graph_rule("AZURE-STORE-006", t.AZ_STORAGE_ACCOUNT, t.AZ_LOCK)
def stores_undeletable(graph: Graph, context: Context) -> list[Verdict]:
    verdicts = []
    for account in _stores(graph):
        locked = any(
            lock.get("level") == "CanNotDelete" and _refers(lock, "scope", account, account.id)
            for lock in graph.of_type(t.AZ_LOCK)
        )
        verdicts.append(
            Verdict(account, None, f"{account.name}: CanNotDelete lock")
            if locked
            else Verdict(account, f"{account.name}: no CanNotDelete lock")
        )
    return verdicts


@resource_rule("AZURE-STORE-007", t.AZ_STORAGE_ACCOUNT)
def no_shared_keys(account: Resource, context: Context) -> str | Any | None:
    if _tags(account).get(ROLE_TAG) not in STORE_ROLES and "evidence" not in account.name.lower():
        return NOT_APPLICABLE
    return None if account.get("allowSharedKeyAccess") is False else "shared key access allowed"


@resource_rule("AZURE-SNAP-001", t.AZ_BACKUP_VAULT)
def vault_locked(vault: Resource, context: Context) -> str | None:
    security = (vault.get("properties") or {}).get("securitySettings") or {}
    problems = []
    if (security.get("immutabilitySettings") or {}).get("state") != "Locked":
        problems.append("immutability not locked")
    if (security.get("softDeleteSettings") or {}).get("state") != "AlwaysOn":
        problems.append("soft delete can be turned off")
    return "; ".join(problems) or None


@graph_rule("AZURE-SNAP-002", t.AZ_POLICY_ASSIGNMENT)
def tagged_disks_backed_up(graph: Graph, context: Context) -> list[Verdict]:
    assignments = [
        a
        for a in graph.of_type(t.AZ_POLICY_ASSIGNMENT)
        if any(p in str(a.get("policyDefinitionId")) for p in DISK_BACKUP_POLICIES)
        and a.get("enforcementMode", "Default") == "Default"
    ]
    if not assignments:
        return [Verdict(None, "no policy assignment backs up tagged disks")]
    return [Verdict(a, None, f"{a.name} backs up tagged disks") for a in assignments]
