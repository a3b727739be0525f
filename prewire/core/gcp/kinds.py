"""The GCP REST kinds prewire reads and writes: for each, its API path and how its fields map
onto pulumi-gcp's inputs, the differences written once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from prewire.core import tokens as t
from prewire.core.graph import Resource

Json = dict[str, Any]


COMPUTE = "https://www.googleapis.com/compute/v1"


def last_segment(value: Any) -> str:
    return str(value or "").rstrip("/").rsplit("/", 1)[-1]


def _same(item: Json) -> Json:
    return {}


@dataclass(frozen=True)
class RestKind:
    """One listable kind: where it is read, how its items map onto the pulumi-gcp inputs."""

    token: str
    service: str
    read: str
    """The list path, `{project}` filled in; `/aggregated/` paths answer per zone or region."""
    items: str
    """The key of the list in the response (for aggregated lists, inside each scope)."""
    home: str
    """The collection a created resource is listed in, filled from its inputs."""
    keys: tuple[str, ...]
    """Fields named the same in the API and in pulumi-gcp's inputs."""
    id_input: str = "name"
    """The input holding the resource's short id (its name's last segment)."""
    full_name: bool = False
    """The API names the resource by its full path (`projects/p/.../x`), not by its id."""
    to_inputs: Callable[[Json], Json] = _same
    to_rest: Callable[[Resource], Json] = lambda _: {}
    skip: Callable[[Json], bool] = lambda _: False
    """Items listed that no longer count (a deleted custom role)."""


def _bucket_inputs(item: Json) -> Json:
    access = item.get("iamConfiguration") or {}
    retention = item.get("retentionPolicy") or {}
    return {
        "uniformBucketLevelAccess": (access.get("uniformBucketLevelAccess") or {}).get("enabled")
        is True,
        "publicAccessPrevention": access.get("publicAccessPrevention", "inherited"),
        "retentionPolicy": {
            "retentionPeriod": retention.get("retentionPeriod"),
            "isLocked": retention.get("isLocked") is True,
        }
        if retention
        else None,
        "versioning": item.get("versioning") or {"enabled": False},
    }


def _bucket_rest(bucket: Resource) -> Json:
    retention = bucket.get("retentionPolicy") or {}
    found: Json = {
        "iamConfiguration": {
            "uniformBucketLevelAccess": {"enabled": bucket.get("uniformBucketLevelAccess") is True},
            "publicAccessPrevention": bucket.get("publicAccessPrevention") or "inherited",
        },
        "versioning": bucket.get("versioning") or {"enabled": False},
    }
    if retention:
        found["retentionPolicy"] = {
            "retentionPeriod": str(int(float(retention.get("retentionPeriod") or 0))),
            "isLocked": retention.get("isLocked") is True,
        }
    soft_delete = bucket.get("softDeletePolicy") or {}
    if soft_delete.get("retentionDurationSeconds") is not None:
        # An int64: a JSON string in the API, a number in pulumi-gcp.
        seconds = int(float(soft_delete["retentionDurationSeconds"]))
        found["softDeletePolicy"] = {"retentionDurationSeconds": str(seconds)}
    return found


def _rules(items: Any, source: str, target: str) -> list[Json]:
    """Firewall rule entries: `IPProtocol` in the API, `protocol` in pulumi-gcp."""
    return [
        {target: entry.get(source), **({"ports": entry["ports"]} if entry.get("ports") else {})}
        for entry in items or []
    ]


def _url(path: Any) -> str:
    return str(path) if str(path).startswith("https://") else f"{COMPUTE}/{path}"


def _firewall_inputs(item: Json) -> Json:
    return {
        "denies": _rules(item.get("denied"), "IPProtocol", "protocol"),
        "allows": _rules(item.get("allowed"), "IPProtocol", "protocol"),
        "priority": int(item.get("priority", 1000)),
    }


def _firewall_rest(rule: Resource) -> Json:
    return {
        "denied": _rules(rule.get("denies"), "protocol", "IPProtocol"),
        "allowed": _rules(rule.get("allows"), "protocol", "IPProtocol"),
        "priority": int(float(rule.get("priority", 1000))),
        "network": _url(rule.get("network")),
        "logConfig": {"enable": bool(rule.get("logConfig")), **(rule.get("logConfig") or {})},
    }


def _subnetwork_inputs(item: Json) -> Json:
    log_config = item.get("logConfig") or {}
    kept = {k: v for k, v in log_config.items() if k != "enable"}
    return {"logConfig": (kept or {"enable": True}) if log_config.get("enable") else None}


def _cluster_inputs(item: Json) -> Json:
    components = ((item.get("loggingConfig") or {}).get("componentConfig") or {}).get(
        "enableComponents"
    )
    return {"loggingConfig": {"enableComponents": list(components or [])}}


def _cluster_rest(cluster: Resource) -> Json:
    components = (cluster.get("loggingConfig") or {}).get("enableComponents") or []
    return {"loggingConfig": {"componentConfig": {"enableComponents": list(components)}}}


def _instance_inputs(item: Json) -> Json:
    """The API lists an instance's service accounts; pulumi-gcp takes one `serviceAccount`."""
    accounts = item.get("serviceAccounts") or []
    return {"serviceAccount": dict(accounts[0])} if accounts else {}


def _instance_rest(instance: Resource) -> Json:
    account = instance.get("serviceAccount")
    return {"serviceAccounts": [dict(account)]} if account else {}


def _role_inputs(item: Json) -> Json:
    return {"permissions": list(item.get("includedPermissions") or [])}


def _role_rest(role: Resource) -> Json:
    return {"includedPermissions": list(role.get("permissions") or [])}


def _resource_policy_rest(policy: Resource) -> Json:
    found: Json = {
        "region": f"{COMPUTE}/projects/{policy.get('project')}/regions/{policy.get('region')}"
    }
    schedule = policy.get("snapshotSchedulePolicy")
    if schedule:
        # pulumi-gcp takes one storage location as a string; the API holds a list.
        properties = dict(schedule.get("snapshotProperties") or {})
        if isinstance(properties.get("storageLocations"), str):
            properties["storageLocations"] = [properties["storageLocations"]]
        found["snapshotSchedulePolicy"] = {**schedule, "snapshotProperties": properties}
    return found


KINDS: tuple[RestKind, ...] = (
    RestKind(
        t.GCP_BUCKET,
        "storage",
        "/storage/v1/b?project={project}",
        "items",
        "/storage/v1/b?project={project}",
        ("name", "labels", "location", "storageClass", "softDeletePolicy"),
        to_inputs=_bucket_inputs,
        to_rest=_bucket_rest,
    ),
    RestKind(
        t.GCP_LOG_SINK,
        "logging",
        "/v2/projects/{project}/sinks",
        "sinks",
        "/v2/projects/{project}/sinks",
        ("name", "destination", "filter", "disabled", "description"),
    ),
    RestKind(
        t.GCP_LOG_BUCKET,
        "logging",
        "/v2/projects/{project}/locations/-/buckets",
        "buckets",
        "/v2/projects/{project}/locations/{location}/buckets",
        ("retentionDays", "locked", "description"),
        id_input="bucketId",
        full_name=True,
    ),
    RestKind(
        t.GCP_FLOW_LOGS_CONFIG,
        "networkmanagement",
        "/v1/projects/{project}/locations/global/vpcFlowLogsConfigs",
        "vpcFlowLogsConfigs",
        "/v1/projects/{project}/locations/global/vpcFlowLogsConfigs",
        ("network", "subnet", "state", "metadata", "aggregationInterval", "flowSampling"),
        id_input="vpcFlowLogsConfigId",
        full_name=True,
    ),
    RestKind(
        t.GCP_FIREWALL,
        "compute",
        "/compute/v1/projects/{project}/global/firewalls",
        "items",
        "/compute/v1/projects/{project}/global/firewalls",
        (
            "name",
            "network",
            "direction",
            "disabled",
            "targetTags",
            "sourceRanges",
            "destinationRanges",
            "description",
        ),
        to_inputs=_firewall_inputs,
        to_rest=_firewall_rest,
    ),
    RestKind(
        t.GCP_NETWORK,
        "compute",
        "/compute/v1/projects/{project}/global/networks",
        "items",
        "/compute/v1/projects/{project}/global/networks",
        ("name",),
    ),
    RestKind(
        t.GCP_SUBNETWORK,
        "compute",
        "/compute/v1/projects/{project}/aggregated/subnetworks",
        "subnetworks",
        "/compute/v1/projects/{project}/regions/{region}/subnetworks",
        ("name", "network", "region", "ipCidrRange"),
        to_inputs=_subnetwork_inputs,
    ),
    RestKind(
        t.GCP_INSTANCE,
        "compute",
        "/compute/v1/projects/{project}/aggregated/instances",
        "instances",
        "/compute/v1/projects/{project}/zones/{zone}/instances",
        ("name", "zone", "labels", "networkInterfaces"),
        to_inputs=_instance_inputs,
        to_rest=_instance_rest,
    ),
    RestKind(
        t.GCP_RESOURCE_POLICY,
        "compute",
        "/compute/v1/projects/{project}/aggregated/resourcePolicies",
        "resourcePolicies",
        "/compute/v1/projects/{project}/regions/{region}/resourcePolicies",
        ("name", "description", "snapshotSchedulePolicy"),
        to_rest=_resource_policy_rest,
    ),
    RestKind(
        t.GCP_GKE_CLUSTER,
        "container",
        "/v1/projects/{project}/locations/-/clusters",
        "clusters",
        "/v1/projects/{project}/locations/{location}/clusters",
        ("name", "location", "loggingService"),
        to_inputs=_cluster_inputs,
        to_rest=_cluster_rest,
    ),
    RestKind(
        t.GCP_SCC_PROJECT_NOTIFICATION,
        "securitycenter",
        "/v2/projects/{project}/locations/global/notificationConfigs",
        "notificationConfigs",
        "/v2/projects/{project}/locations/global/notificationConfigs",
        ("pubsubTopic", "streamingConfig", "description"),
        id_input="configId",
        full_name=True,
    ),
    RestKind(
        t.GCP_SUBSCRIPTION,
        "pubsub",
        "/v1/projects/{project}/subscriptions",
        "subscriptions",
        "/v1/projects/{project}/subscriptions",
        ("topic", "labels", "ackDeadlineSeconds", "messageRetentionDuration"),
        full_name=True,
    ),
    RestKind(
        t.GCP_CUSTOM_ROLE,
        "iam",
        "/v1/projects/{project}/roles?view=FULL",
        "roles",
        "/v1/projects/{project}/roles",
        ("title", "stage", "description"),
        id_input="roleId",
        full_name=True,
        to_inputs=_role_inputs,
        to_rest=_role_rest,
        skip=lambda item: item.get("deleted") is True,
    ),
    RestKind(
        t.GCP_ALERT_POLICY,
        "monitoring",
        "/v3/projects/{project}/alertPolicies",
        "alertPolicies",
        "/v3/projects/{project}/alertPolicies",
        ("displayName", "conditions", "enabled", "combiner", "notificationChannels"),
        id_input="",
        full_name=True,
    ),
)


BY_TOKEN = {kind.token: kind for kind in KINDS}


ORG_NOTIFICATIONS = replace(
    BY_TOKEN[t.GCP_SCC_PROJECT_NOTIFICATION],
    token=t.GCP_SCC_ORG_NOTIFICATION,
    read="/v2/organizations/{organization}/locations/global/notificationConfigs",
    home="/v2/organizations/{organization}/locations/global/notificationConfigs",
)


IAM_POLICY_TOKENS = (t.GCP_AUDIT_CONFIG, t.GCP_PROJECT_IAM_MEMBER)


"""What the project's IAM policy (one `getIamPolicy`) holds."""
