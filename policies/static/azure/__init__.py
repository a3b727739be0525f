"""Static rules for the Azure controls (see policies/controls/azure.py for what each one means).

References between resources are followed by value (a rendered program has every id) or, in
a CrossGuard preview where ids are still unknown, by the recorded property dependency.
"""

from __future__ import annotations

from typing import Any

from policies.baseline import BaselineVerdict, baseline_check
from policies.findings import Status
from policies.static.engine import (
    NOT_APPLICABLE,
    Context,
    Verdict,
    as_list,
    graph_rule,
    resource_rule,
)
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource

ROLE_TAG = "prewire:role"
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


# -- helpers ---------------------------------------------------------------------------------------


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


# -- Activity Log ----------------------------------------------------------------------------------


@graph_rule("AZURE-LOG-001", t.AZ_SUBSCRIPTION_DIAGNOSTICS)
def activity_log_exported(graph: Graph, context: Context) -> list[Verdict]:
    settings = graph.of_type(t.AZ_SUBSCRIPTION_DIAGNOSTICS)
    if not settings:
        return [Verdict(None, "no subscription diagnostic setting exports the Activity Log")]
    verdicts = []
    for setting in settings:
        missing = sorted(ACTIVITY_LOG_CATEGORIES - _categories(setting))
        destination = setting.get("workspaceId") or setting.get("storageAccountId")
        if not destination:
            verdicts.append(Verdict(setting, f"{setting.name} sends the Activity Log nowhere"))
        elif missing:
            verdicts.append(Verdict(setting, f"{setting.name} leaves out {', '.join(missing)}"))
        else:
            verdicts.append(Verdict(setting, None, f"{setting.name} exports every category"))
    return verdicts


@graph_rule(
    "AZURE-LOG-002",
    t.AZ_SUBSCRIPTION_DIAGNOSTICS,
    t.AZ_STORAGE_ACCOUNT,
    t.AZ_BLOB_CONTAINER,
    t.AZ_IMMUTABILITY_POLICY,
)
def activity_log_archived(graph: Graph, context: Context) -> list[Verdict]:
    settings = [
        s for s in graph.of_type(t.AZ_SUBSCRIPTION_DIAGNOSTICS) if s.get("storageAccountId")
    ]
    if not settings:
        return [Verdict(None, "the Activity Log is not archived to a storage account")]
    verdicts = []
    for setting in settings:
        accounts = [
            a
            for a in graph.of_type(t.AZ_STORAGE_ACCOUNT)
            if _refers(setting, "storageAccountId", a, a.id)
        ]
        archived = [
            c
            for a in accounts
            for c in _of_account(graph, t.AZ_BLOB_CONTAINER, a)
            if _container_name(c) == ACTIVITY_LOG_CONTAINER
            and _policy(graph, a, c) is not None
            and _locked(graph, a, c)
        ]
        verdicts.append(
            Verdict(setting, None, f"{setting.name}: archived under a locked policy")
            if archived
            else Verdict(
                setting,
                f"{setting.name}: its storage account has no locked immutability policy on "
                f"{ACTIVITY_LOG_CONTAINER}",
            )
        )
    return verdicts


@resource_rule("AZURE-LOG-003", t.AZ_WORKSPACE)
def workspace_retention(workspace: Resource, context: Context) -> str | None:
    required = min(context.retention_days, MAX_WORKSPACE_DAYS)
    days = int(workspace.get("retentionInDays") or 30)
    return None if days >= required else f"keeps logs {days} days, required {required}"


# -- stores ----------------------------------------------------------------------------------------


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


# -- network ---------------------------------------------------------------------------------------


@graph_rule("AZURE-FLOW-001", t.AZ_VIRTUAL_NETWORK, t.AZ_FLOW_LOG)
def networks_logged(graph: Graph, context: Context) -> list[Verdict]:
    logs = graph.of_type(t.AZ_FLOW_LOG)
    verdicts = []
    declared = graph.of_type(t.AZ_VIRTUAL_NETWORK)
    for vnet in declared:
        covered = any(_refers(f, "targetResourceId", vnet, vnet.id) for f in logs)
        verdicts.append(
            Verdict(vnet, None, f"{vnet.name}: flow logs")
            if covered
            else Verdict(vnet, f"{vnet.name}: no VNet flow log")
        )
    known = {str(v.id) for v in declared}
    for log in logs:
        if str(log.get("targetResourceId")) not in known:
            verdicts.append(Verdict(log, None, f"{log.get('targetResourceId')}: flow logs"))
    return verdicts


@resource_rule("AZURE-FLOW-002", t.AZ_FLOW_LOG)
def flow_log_quality(flow: Resource, context: Context) -> str | None:
    problems = []
    if int((flow.get("format") or {}).get("version") or 1) < 2:
        problems.append("version 1 records (no bytes or flow state)")
    retention = flow.get("retentionPolicy") or {}
    required = min(context.retention_days, MAX_FLOW_LOG_DAYS)
    if not retention.get("enabled") or int(retention.get("days") or 0) < required:
        problems.append(f"kept {retention.get('days') or 0} days, required {required}")
    analytics = (flow.get("flowAnalyticsConfiguration") or {}).get(
        "networkWatcherFlowAnalyticsConfiguration"
    ) or {}
    if not analytics.get("enabled"):
        problems.append("no traffic analytics to a workspace")
    return "; ".join(problems) or None


def _isolating(group: Resource) -> bool:
    rules = [r for r in as_list(group.get("securityRules")) if isinstance(r, dict)]
    directions = {
        r.get("direction")
        for r in rules
        if r.get("access") == "Deny"
        and int(r.get("priority") or 4096) <= 100
        and r.get("protocol") == "*"
        and r.get("sourceAddressPrefix") == "*"
        and r.get("destinationAddressPrefix") == "*"
    }
    return directions >= {"Inbound", "Outbound"}


@graph_rule("AZURE-NET-001", t.AZ_NSG, t.AZ_VIRTUAL_MACHINE)
def isolation_groups(graph: Graph, context: Context) -> list[Verdict]:
    groups = [g for g in graph.of_type(t.AZ_NSG) if _isolating(g)]
    if not groups:
        return [Verdict(None, "no deny-all isolation network security group")]
    covered = {str(g.get("location")) for g in groups}
    verdicts = [Verdict(g, None, f"{g.name}: isolates in {g.get('location')}") for g in groups]
    for vm in graph.of_type(t.AZ_VIRTUAL_MACHINE):
        if str(vm.get("location")) not in covered:
            verdicts.append(Verdict(vm, f"{vm.name}: no isolation group in {vm.get('location')}"))
    return verdicts


# -- detection -------------------------------------------------------------------------------------


def _plan(graph: Graph, name: str) -> Resource | None:
    for pricing in graph.of_type(t.AZ_DEFENDER_PRICING):
        if pricing.get("pricingName") == name and pricing.get("pricingTier") == "Standard":
            return pricing
    return None


@graph_rule("AZURE-DEF-001", t.AZ_DEFENDER_PRICING)
def defender_for_servers(graph: Graph, context: Context) -> list[Verdict]:
    plan = _plan(graph, "VirtualMachines")
    if plan is None:
        return [Verdict(None, "Defender for Servers is not enabled")]
    if plan.get("subPlan") != "P2":
        return [Verdict(plan, f"Defender for Servers {plan.get('subPlan') or 'P1'}, not P2")]
    return [Verdict(plan, None, "Defender for Servers plan 2")]


@graph_rule("AZURE-DEF-002", t.AZ_DEFENDER_PRICING)
def defender_for_containers(graph: Graph, context: Context) -> list[Verdict]:
    plan = _plan(graph, "Containers")
    if plan is None:
        return [Verdict(None, "Defender for Containers is not enabled")]
    return [Verdict(plan, None, "Defender for Containers")]


@graph_rule("AZURE-DEF-003", t.AZ_SECURITY_AUTOMATION)
def alerts_exported(graph: Graph, context: Context) -> list[Verdict]:
    for automation in graph.of_type(t.AZ_SECURITY_AUTOMATION):
        sources = {str(s.get("eventSource")) for s in as_list(automation.get("sources"))}
        if (
            "Alerts" in sources
            and as_list(automation.get("actions"))
            and automation.get("isEnabled") is not False
        ):
            return [Verdict(automation, None, f"{automation.name} exports alerts")]
    return [Verdict(None, "no enabled security automation exports Defender alerts")]


# -- snapshots -------------------------------------------------------------------------------------


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


# -- workloads -------------------------------------------------------------------------------------


def _diagnosed(
    graph: Graph, kind: str, token: str, wanted: frozenset[str], what: str
) -> list[Verdict]:
    settings = graph.of_type(t.AZ_DIAGNOSTIC_SETTING)
    verdicts = []
    declared = graph.of_type(token)
    for resource in declared:
        found = [s for s in settings if _targets(s, resource)]
        missing = wanted - set().union(*(_categories(s) for s in found)) if found else wanted
        verdicts.append(
            Verdict(resource, f"{resource.name}: no {', '.join(sorted(missing))} diagnostic logs")
            if missing
            else Verdict(resource, None, f"{resource.name}: {what} kept")
        )
    known = {str(r.id) for r in declared}
    for setting in settings:
        target = str(setting.get("resourceUri"))
        if f"/{kind}/" not in target.lower() or target in known:
            continue
        missing = wanted - _categories(setting)
        verdicts.append(
            Verdict(setting, f"{target}: no {', '.join(sorted(missing))}")
            if missing
            else Verdict(setting, None, f"{target}: {what} kept")
        )
    return verdicts


@graph_rule("AZURE-AKS-001", t.AZ_MANAGED_CLUSTER, t.AZ_DIAGNOSTIC_SETTING)
def aks_audit_logs(graph: Graph, context: Context) -> list[Verdict]:
    return _diagnosed(graph, "managedclusters", t.AZ_MANAGED_CLUSTER, AKS_AUDIT, "audit logs")


@resource_rule("AZURE-AKS-002", t.AZ_MANAGED_CLUSTER)
def run_command_allowed(cluster: Resource, context: Context) -> str | None:
    profile = cluster.get("apiServerAccessProfile") or {}
    return "command invoke is disabled" if profile.get("disableRunCommand") is True else None


@graph_rule("AZURE-FUNC-001", t.AZ_WEB_APP, t.AZ_DIAGNOSTIC_SETTING)
def function_logs(graph: Graph, context: Context) -> list[Verdict]:
    apps = graph.of_type(t.AZ_WEB_APP)
    functions = [a for a in apps if "functionapp" in str(a.get("kind", "")).lower()]
    trimmed = Graph(
        resources=[r for r in graph.resources if r.type != t.AZ_WEB_APP or r in functions],
        config=graph.config,
    )
    return _diagnosed(
        trimmed, "sites", t.AZ_WEB_APP, frozenset({"FunctionAppLogs"}), "FunctionAppLogs"
    )


# -- identities ------------------------------------------------------------------------------------


def _role_actions(role: Resource) -> set[str]:
    return {
        str(action)
        for permission in as_list(role.get("permissions"))
        if isinstance(permission, dict)
        for action in [*as_list(permission.get("actions")), *as_list(permission.get("dataActions"))]
    }


@graph_rule("AZURE-RESP-001", t.AZ_ROLE_DEFINITION)
def responder_role(graph: Graph, context: Context) -> list[Verdict]:
    from prewire.core.vocabulary import Cloud
    from responders.registry import required_permissions

    needed = {p.action for p in required_permissions(Cloud.AZURE)}
    roles = [
        r
        for r in graph.of_type(t.AZ_ROLE_DEFINITION)
        if "responder" in str(r.get("roleName")).lower()
    ]
    if not roles:
        return [Verdict(None, "no responder role definition")]
    granted = set().union(*(_role_actions(r) for r in roles))
    missing = sorted(needed - granted)
    if missing:
        return [Verdict(roles[0], f"responder roles lack {', '.join(missing[:5])}")]
    return [Verdict(r, None, f"{r.get('roleName')}: generated from the responders") for r in roles]


def _user_identities(app: Resource) -> set[str]:
    assigned = (app.get("identity") or {}).get("userAssignedIdentities") or []
    # Rendered inputs list the ids; ARM returns a map keyed by id.
    return {str(i).lower() for i in (assigned if isinstance(assigned, list) else assigned.keys())}


@graph_rule("AZURE-RESP-002", t.AZ_WEB_APP, t.AZ_USER_IDENTITY)
def responder_function(graph: Graph, context: Context) -> list[Verdict]:
    responders = {
        str(i.id).lower()
        for i in graph.of_type(t.AZ_USER_IDENTITY)
        if _tags(i).get(ROLE_TAG) == "responder-identity"
    }
    apps = [
        a
        for a in graph.of_type(t.AZ_WEB_APP)
        if _tags(a).get(ROLE_TAG) == "responder-function"
        and "functionapp" in str(a.get("kind")).lower()
    ]
    if not apps:
        return [Verdict(None, "no responder Function App: Defender alerts are not acted on")]
    verdicts = []
    for app in apps:
        held = _user_identities(app)
        if responders and not held & responders:
            verdicts.append(Verdict(app, f"{app.name} does not run as the responder identity"))
        else:
            verdicts.append(Verdict(app, None, f"{app.name} consumes the alert hub"))
    return verdicts


@graph_rule("AZURE-IAM-001", t.AZ_ROLE_DEFINITION, t.AZ_ROLE_ASSIGNMENT, t.AZ_ACTIVITY_LOG_ALERT)
def break_glass(graph: Graph, context: Context) -> list[Verdict]:
    roles = {
        str(r.id)
        for r in graph.of_type(t.AZ_ROLE_DEFINITION)
        if "break" in str(r.get("roleName")).lower()
    }
    assigned = [
        a
        for a in graph.of_type(t.AZ_ROLE_ASSIGNMENT)
        if str(a.get("roleDefinitionId")) in roles and a.get("principalType") == "Group"
    ]
    alerts = graph.of_type(t.AZ_ACTIVITY_LOG_ALERT)
    if not assigned:
        return [Verdict(None, "no break-glass role assigned to a group")]
    if not alerts:
        return [Verdict(assigned[0], "break glass has no Activity Log alert")]
    return [Verdict(assigned[0], None, "break glass is a group, and its use alerts")]


# -- what a workload relies on the baseline for ----------------------------------------------------


@baseline_check("AZURE-NET-001")
def isolation_from_baseline(graph: Graph, groups: Any) -> list[BaselineVerdict]:
    verdicts = []
    for vm in graph.of_type(t.AZ_VIRTUAL_MACHINE):
        location = str(vm.get("location"))
        if groups is None:
            status = Status.BASELINE
            message = f"{vm.name}: the isolation group for {location} comes from the baseline stack"
        elif isinstance(groups, dict) and groups.get(location):
            status, message = Status.PASSED, f"{vm.name}: isolation group {groups[location]}"
        else:
            status = Status.FAILED
            message = (
                f"{vm.name}: the baseline stack has no isolation group in {location} "
                "(add it to prewire:azure.locations)"
            )
        verdicts.append(BaselineVerdict(vm, status, message))
    return verdicts
