"""GCP's REST representations and the pulumi-gcp resources they correspond to, both ways.

`prewire audit gcp` lists a project through Google's REST APIs and turns every item into the
resource a rendered program would hold (same type token, same input names), so the static rules
judge the live project. Drills on the local GCP fake go the other way: the rendered stack's
resources become the items the APIs would return once `pulumi up` created them.

Most kinds share their field names with pulumi-gcp's inputs (both follow the API); the
differences are written once here: buckets (`iamConfiguration`), firewalls (`denied` /
`IPProtocol`), subnetwork flow logs (`logConfig.enable`), GKE logging
(`loggingConfig.componentConfig`), custom roles (`includedPermissions`), and the project IAM
policy, which holds every audit config and binding of the project in one document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource, whole_numbers

Json = dict[str, Any]
COMPUTE = "https://www.googleapis.com/compute/v1"


def _last(value: Any) -> str:
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


# -- the kinds whose fields differ -----------------------------------------------------------------


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


# -- API item -> resource ----------------------------------------------------------------------


def as_resource(kind: RestKind, item: Json) -> Resource:
    """A listed item as the pulumi-gcp resource it corresponds to."""
    name = str(item.get("name") or item.get("id"))
    inputs: Json = {k: item[k] for k in kind.keys if k in item}
    if kind.id_input:
        inputs[kind.id_input] = _last(name)
    inputs.update(kind.to_inputs(item))
    identifier = name if kind.full_name else str(item.get("selfLink") or name)
    return Resource(
        urn=f"live::{kind.token}::{identifier}",
        type=kind.token,
        name=_last(name),
        inputs=inputs,
        outputs={"id": identifier, "name": name},
    )


def policy_resources(project: str, policy: Json) -> list[Resource]:
    """The project IAM policy as pulumi-gcp's audit configs and one member per binding."""
    found = [
        Resource(
            urn=f"live::{t.GCP_AUDIT_CONFIG}::{config.get('service')}",
            type=t.GCP_AUDIT_CONFIG,
            name=str(config.get("service")),
            inputs={"project": project, **config},
            outputs={"id": f"projects/{project}/auditConfigs/{config.get('service')}"},
        )
        for config in policy.get("auditConfigs") or []
    ]
    for binding in policy.get("bindings") or []:
        for member in binding.get("members") or []:
            inputs = {"project": project, "role": binding.get("role"), "member": member}
            if binding.get("condition"):
                inputs["condition"] = binding["condition"]
            key = f"{binding.get('role')}/{member}/{(binding.get('condition') or {}).get('title')}"
            found.append(
                Resource(
                    urn=f"live::{t.GCP_PROJECT_IAM_MEMBER}::{key}",
                    type=t.GCP_PROJECT_IAM_MEMBER,
                    name=key,
                    inputs=inputs,
                    outputs={"id": f"projects/{project} {binding.get('role')} {member}"},
                )
            )
    return found


# -- rendered resource -> API item -------------------------------------------------------------


def rest_item(kind: RestKind, resource: Resource) -> tuple[str, Json]:
    """(the collection it is listed in, the item) for a rendered resource, as GCP returns it."""
    inputs = {**resource.outputs, **resource.inputs}
    home = kind.home.format_map(_Fill(inputs))
    item: Json = {k: inputs[k] for k in kind.keys if k in inputs and inputs[k] is not None}
    short = str(inputs.get(kind.id_input) or resource.outputs.get("name") or resource.name)
    collection = re.sub(r"^.*?/(?=(projects|organizations)/)", "", home.split("?", 1)[0])
    item["name"] = f"{collection}/{short}" if kind.full_name else short
    if kind.service == "compute":
        item["selfLink"] = f"{COMPUTE}/{collection}/{short}"
    item.update(kind.to_rest(resource))
    return home, whole_numbers(item)


def iam_policy(resources: Iterable[Resource]) -> Json:
    """The project IAM policy the rendered audit configs and members add up to."""
    bindings: dict[str, Json] = {}
    audit_configs = []
    for resource in resources:
        if resource.type == t.GCP_AUDIT_CONFIG:
            audit_configs.append(
                {
                    "service": resource.get("service"),
                    "auditLogConfigs": list(resource.get("auditLogConfigs") or []),
                }
            )
        elif resource.type == t.GCP_PROJECT_IAM_MEMBER:
            condition = resource.get("condition")
            key = f"{resource.get('role')}|{(condition or {}).get('expression')}"
            binding = bindings.setdefault(key, {"role": resource.get("role"), "members": []})
            if condition:
                binding["condition"] = dict(condition)
            binding["members"].append(resource.get("member"))
    return {"version": 3, "bindings": list(bindings.values()), "auditConfigs": audit_configs}


def rendered_kinds(graph: Graph) -> list[tuple[RestKind, Resource]]:
    """The rendered resources of a listable kind, in registration order."""
    return [(BY_TOKEN[r.type], r) for r in graph if r.type in BY_TOKEN]


class _Fill(dict[str, Any]):
    def __init__(self, inputs: Json) -> None:
        super().__init__({k: _last(v) if k in ("region", "zone") else v for k, v in inputs.items()})

    def __missing__(self, key: str) -> str:
        return "global" if key == "location" else f"<{key}>"
