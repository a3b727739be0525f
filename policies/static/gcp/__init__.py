"""Static rules for the GCP controls (see policies/controls/gcp.py for what each one means).

Networks are matched by name (a reference may be a name, a path or a self link); buckets by name.
"""

from __future__ import annotations

from typing import Any

from policies.baseline import BaselineVerdict, baseline_check
from policies.findings import Status
from policies.static.engine import (
    Context,
    Verdict,
    as_list,
    graph_rule,
    resource_rule,
)
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


# -- helpers ---------------------------------------------------------------------------------------


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


# -- Cloud Audit Logs ------------------------------------------------------------------------------


@graph_rule("GCP-LOG-001", t.GCP_AUDIT_CONFIG)
def data_access_logs(graph: Graph, context: Context) -> list[Verdict]:
    for config in graph.of_type(t.GCP_AUDIT_CONFIG):
        kinds = {str(c.get("logType")) for c in as_list(config.get("auditLogConfigs")) if c}
        if config.get("service") == "allServices" and kinds >= AUDIT_LOG_TYPES:
            exempt = [
                m
                for c in as_list(config.get("auditLogConfigs"))
                if c
                for m in as_list(c.get("exemptedMembers"))
            ]
            if exempt:
                return [
                    Verdict(
                        config, f"members exempted from audit logs: {', '.join(map(str, exempt))}"
                    )
                ]
            return [Verdict(config, None, "Data Access logs for all services")]
    return [
        Verdict(
            None, "no audit config turns on ADMIN_READ, DATA_READ and DATA_WRITE for allServices"
        )
    ]


@graph_rule("GCP-LOG-002", t.GCP_LOG_SINK, t.GCP_BUCKET)
def audit_logs_archived(graph: Graph, context: Context) -> list[Verdict]:
    buckets = {_name(b): b for b in graph.of_type(t.GCP_BUCKET)}
    problems = []
    for sink in graph.of_type(t.GCP_LOG_SINK):
        destination = str(sink.get("destination"))
        audit = not sink.get("filter") or "cloudaudit.googleapis.com" in str(sink.get("filter"))
        if (
            not destination.startswith("storage.googleapis.com/")
            or not audit
            or sink.get("disabled")
        ):
            continue
        bucket = buckets.get(destination.removeprefix("storage.googleapis.com/"))
        if bucket is None:
            problems.append(
                Verdict(sink, f"{sink.name}: bucket {destination} is not in the program")
            )
            continue
        problem = _locked_for(bucket, context.retention_days)
        if problem is None:
            return [
                Verdict(sink, None, f"{sink.name}: audit logs to locked bucket {_name(bucket)}")
            ]
        problems.append(Verdict(sink, f"{sink.name}: bucket {_name(bucket)}: {problem}"))
    return problems or [Verdict(None, "no sink exports Cloud Audit Logs to a bucket")]


@graph_rule("GCP-LOG-003", t.GCP_LOG_SINK, t.GCP_LOG_BUCKET)
def workload_logs_kept(graph: Graph, context: Context) -> list[Verdict]:
    required = min(context.retention_days, MAX_LOG_BUCKET_DAYS)
    buckets = {str(b.outputs.get("id") or b.id): b for b in graph.of_type(t.GCP_LOG_BUCKET)}
    for sink in graph.of_type(t.GCP_LOG_SINK):
        text = str(sink.get("filter") or "")
        if "cloud_run_revision" not in text or "k8s_container" not in text:
            continue
        destination = str(sink.get("destination")).removeprefix("logging.googleapis.com/")
        bucket = buckets.get(destination)
        if bucket is None:
            return [
                Verdict(
                    sink,
                    f"{sink.name}: destination {destination} is not a log bucket of the program",
                )
            ]
        if int(bucket.get("retentionDays") or 0) < required or bucket.get("locked") is not True:
            kept = f"kept {bucket.get('retentionDays')} days, locked {bucket.get('locked')}"
            wanted = f"required {required} days, locked"
            return [Verdict(bucket, f"{_last(destination)}: {kept}; {wanted}")]
        return [Verdict(sink, None, f"{sink.name}: Cloud Run and GKE logs to {_last(destination)}")]
    return [Verdict(None, "no sink routes Cloud Run and GKE logs to a locked log bucket")]


# -- buckets ---------------------------------------------------------------------------------------


@graph_rule("GCP-STORE-001", t.GCP_BUCKET, t.GCP_LOG_SINK)
def stores_locked(graph: Graph, context: Context) -> list[Verdict]:
    stores = [b for b in graph.of_type(t.GCP_BUCKET) if _is_store(b, graph)]
    if not stores:
        return [Verdict(None, "no audit or evidence bucket")]
    return [
        Verdict(b, problem, "" if problem else f"{_name(b)}: locked")
        for b in stores
        for problem in [_locked_for(b, context.retention_days)]
    ]


@graph_rule("GCP-STORE-002", t.GCP_BUCKET, t.GCP_LOG_SINK)
def stores_private(graph: Graph, context: Context) -> list[Verdict]:
    verdicts = []
    for bucket in (b for b in graph.of_type(t.GCP_BUCKET) if _is_store(b, graph)):
        problems = []
        if bucket.get("uniformBucketLevelAccess") is not True:
            problems.append("object ACLs allowed (no uniform bucket-level access)")
        if bucket.get("publicAccessPrevention") != "enforced":
            problems.append("public access prevention not enforced")
        verdicts.append(Verdict(bucket, "; ".join(problems) or None, f"{_name(bucket)}: private"))
    return verdicts


@graph_rule("GCP-STORE-003", t.GCP_BUCKET, t.GCP_LOG_SINK)
def stores_versioned(graph: Graph, context: Context) -> list[Verdict]:
    return [
        Verdict(
            b,
            None if (b.get("versioning") or {}).get("enabled") is True else "versioning off",
            f"{_name(b)}: versioned",
        )
        for b in graph.of_type(t.GCP_BUCKET)
        if _is_store(b, graph)
    ]


# -- network ---------------------------------------------------------------------------------------


def _flow_logged(name: str, graph: Graph) -> str | None:
    for config in graph.of_type(t.GCP_FLOW_LOGS_CONFIG):
        if _last(config.get("network")) != name or config.get("state") == "DISABLED":
            continue
        if config.get("metadata") not in (None, "INCLUDE_ALL_METADATA"):
            return f"network {name}: flow logs without all metadata"
        return None
    subnets = [s for s in graph.of_type(t.GCP_SUBNETWORK) if _last(s.get("network")) == name]
    if subnets and all(s.get("logConfig") for s in subnets):
        return None
    return f"network {name}: no VPC flow logs"


@graph_rule(
    "GCP-FLOW-001",
    t.GCP_NETWORK,
    t.GCP_FLOW_LOGS_CONFIG,
    t.GCP_SUBNETWORK,
    t.GCP_FIREWALL,
    t.GCP_INSTANCE,
)
def networks_logged(graph: Graph, context: Context) -> list[Verdict]:
    return [
        Verdict(resource, problem, f"network {name}: flow logs")
        for name, resource in sorted(_networks(graph, owned_only=context.workload).items())
        for problem in [_flow_logged(name, graph)]
    ]


def _quarantines(rule: Resource, direction: str) -> bool:
    ranges = "sourceRanges" if direction == "INGRESS" else "destinationRanges"
    return (
        rule.get("direction", "INGRESS") == direction
        and int(rule.get("priority", 1000)) == 0
        and not rule.get("disabled")
        and any(str(d.get("protocol")) == "all" for d in as_list(rule.get("denies")) if d)
        and QUARANTINE_TAG in as_list(rule.get("targetTags"))
        and "0.0.0.0/0" in as_list(rule.get(ranges))
    )


@graph_rule("GCP-NET-001", t.GCP_FIREWALL, t.GCP_NETWORK, t.GCP_INSTANCE, t.GCP_FLOW_LOGS_CONFIG)
def quarantine_rules(graph: Graph, context: Context) -> list[Verdict]:
    firewalls = graph.of_type(t.GCP_FIREWALL)
    verdicts = []
    for name, resource in sorted(_networks(graph).items()):
        missing = [
            d
            for d in ("INGRESS", "EGRESS")
            if not any(_last(f.get("network")) == name and _quarantines(f, d) for f in firewalls)
        ]
        problem = (
            f"network {name}: no deny-all {' or '.join(missing).lower()} quarantine rule"
            if missing
            else None
        )
        verdicts.append(Verdict(resource, problem, f"network {name}: quarantine rules"))
    return verdicts or [Verdict(None, None, "no network in the program")]


# -- snapshots, GKE, detection ---------------------------------------------------------------------


@graph_rule("GCP-SNAP-001", t.GCP_RESOURCE_POLICY, t.DYNAMIC_RESOURCE)
def snapshot_schedule(graph: Graph, context: Context) -> list[Verdict]:
    attached = [d for d in graph.of_type(t.DYNAMIC_RESOURCE) if d.get("label_key")]
    for policy in graph.of_type(t.GCP_RESOURCE_POLICY):
        schedule = policy.get("snapshotSchedulePolicy") or {}
        if not schedule:
            continue
        retention = schedule.get("retentionPolicy") or {}
        if retention.get("onSourceDiskDelete") != "KEEP_AUTO_SNAPSHOTS":
            return [Verdict(policy, f"{_name(policy)}: snapshots are deleted with their disk")]
        if not attached:
            return [Verdict(policy, f"{_name(policy)}: attached to no disks by label")]
        return [
            Verdict(
                policy, None, f"{_name(policy)}: daily, by label {attached[0].get('label_key')}"
            )
        ]
    return [Verdict(None, "no snapshot schedule")]


@resource_rule("GCP-GKE-001", t.GCP_GKE_CLUSTER)
def gke_logging(cluster: Resource, context: Context) -> str | None:
    if cluster.get("loggingService") == "none":
        return "logging disabled"
    components = set(as_list((cluster.get("loggingConfig") or {}).get("enableComponents")))
    missing = sorted(GKE_COMPONENTS - components)
    return f"not logged: {', '.join(missing)}" if missing else None


@graph_rule(
    "GCP-DET-001", t.GCP_SCC_PROJECT_NOTIFICATION, t.GCP_SCC_ORG_NOTIFICATION, t.GCP_SUBSCRIPTION
)
def findings_published(graph: Graph, context: Context) -> list[Verdict]:
    subscribed = {str(s.get("topic")) for s in graph.of_type(t.GCP_SUBSCRIPTION)}
    configs = graph.of_type(t.GCP_SCC_PROJECT_NOTIFICATION) + graph.of_type(
        t.GCP_SCC_ORG_NOTIFICATION
    )
    for config in configs:
        text = str((config.get("streamingConfig") or {}).get("filter") or "")
        if "HIGH" not in text and "CRITICAL" not in text and text:
            continue
        if str(config.get("pubsubTopic")) not in subscribed:
            return [
                Verdict(config, f"{config.name}: nobody subscribes to {config.get('pubsubTopic')}")
            ]
        return [
            Verdict(config, None, f"{config.name}: findings to {_last(config.get('pubsubTopic'))}")
        ]
    return [Verdict(None, "no Security Command Center notification publishes high findings")]


# -- identities ------------------------------------------------------------------------------------


def roles_named(graph: Graph, word: str) -> list[Resource]:
    """The custom roles whose id or title carries `word` ("responder", "break")."""
    return [
        r
        for r in graph.of_type(t.GCP_CUSTOM_ROLE)
        if word in f"{r.get('roleId')} {r.get('title')}".lower()
    ]


def _role_name(role: Resource) -> str:
    return str(role.outputs.get("name") or role.get("roleId"))


def service_accounts_holding(graph: Graph, role: Resource) -> list[Resource]:
    """The project bindings of `role` to service accounts."""
    return [
        m
        for m in graph.of_type(t.GCP_PROJECT_IAM_MEMBER)
        if str(m.get("role")) == _role_name(role)
        and str(m.get("member")).startswith("serviceAccount:")
    ]


@graph_rule("GCP-RESP-001", t.GCP_CUSTOM_ROLE, t.GCP_PROJECT_IAM_MEMBER)
def responder_role(graph: Graph, context: Context) -> list[Verdict]:
    from responders.gcp.permissions import responder_permissions

    roles = roles_named(graph, "responder")
    if not roles:
        return [Verdict(None, "no responder custom role")]
    role = roles[0]
    missing = sorted(
        set(responder_permissions()) - {str(p) for p in as_list(role.get("permissions"))}
    )
    if missing:
        return [Verdict(role, f"responder role lacks {', '.join(missing[:5])}")]
    if not service_accounts_holding(graph, role):
        return [Verdict(role, "the responder role is bound to no service account")]
    return [Verdict(role, None, "generated from the responders, bound to their service account")]


@graph_rule("GCP-IAM-001", t.GCP_CUSTOM_ROLE, t.GCP_PROJECT_IAM_MEMBER, t.GCP_ALERT_POLICY)
def break_glass(graph: Graph, context: Context) -> list[Verdict]:
    roles = roles_named(graph, "break")
    if not roles:
        return [Verdict(None, "no break-glass role")]
    role = _role_name(roles[0])
    bindings = [m for m in graph.of_type(t.GCP_PROJECT_IAM_MEMBER) if str(m.get("role")) == role]
    grouped = [m for m in bindings if str(m.get("member")).startswith("group:")]
    if not grouped:
        return [Verdict(roles[0], "the break-glass role is bound to no group")]
    unbounded = [
        m
        for m in grouped
        if "request.time <" not in str((m.get("condition") or {}).get("expression"))
    ]
    if unbounded:
        return [Verdict(unbounded[0], "break-glass binding without an expiry condition")]
    alerted = any(
        role.rsplit("/", 1)[-1] in str((c.get("conditionMatchedLog") or {}).get("filter"))
        for a in graph.of_type(t.GCP_ALERT_POLICY)
        for c in as_list(a.get("conditions"))
        if c
    )
    if not alerted:
        return [Verdict(roles[0], "no alert when the break-glass binding changes")]
    return [Verdict(roles[0], None, "time-bounded group binding with an alert")]


# -- what a workload relies on the baseline for ----------------------------------------------------


@baseline_check("GCP-NET-001")
def quarantine_from_baseline(graph: Graph, networks: Any) -> list[BaselineVerdict]:
    declared = {_name(n) for n in graph.of_type(t.GCP_NETWORK)}
    covered = {_last(n) for n in as_list(networks)}
    verdicts = []
    for name, user in sorted(_networks(graph).items()):
        if name in declared:
            status = Status.BASELINE
            message = (
                f"network {name} is new in this program: add it to prewire:gcp.networks of the "
                "baseline stack, which creates its quarantine rules"
            )
        elif networks is None:
            status = Status.BASELINE
            message = f"network {name}: its quarantine rules come from the baseline stack"
        elif name in covered:
            status, message = Status.PASSED, f"network {name}: quarantine rules in the baseline"
        else:
            status = Status.FAILED
            message = f"network {name} has no quarantine rules in the baseline stack"
        verdicts.append(BaselineVerdict(user, status, message))
    return verdicts
