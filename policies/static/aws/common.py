"""What the AWS rules share: the tags prewire reads and how a graph's stores, trails, roles and
VPCs are found."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from policies.static.engine import Context, Verdict, as_document, as_list, statements
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource
from prewire.core.vocabulary import EKS_CONTROL_PLANE_LOG_TYPES, ROLE_TAG

EKS_LOG_TYPES = frozenset(EKS_CONTROL_PLANE_LOG_TYPES)


FLOW_FIELDS = ("${instance-id}", "${pkt-srcaddr}", "${pkt-dstaddr}", "${flow-direction}")


CRITICAL_TAG = "prewire:critical"


PURPOSE_TAG = "prewire:purpose"


def _tags(resource: Resource) -> dict[str, str]:
    tags = resource.get("tags") or {}
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}


def _bucket_keys(bucket: Resource) -> set[str]:
    return {
        str(v) for v in (bucket.id, bucket.outputs.get("bucket"), bucket.inputs.get("bucket")) if v
    }


def _refers(resource: Resource, target: Resource, key: str, values: set[str]) -> bool:
    """Whether `resource.key` points at `target`: by value, or (in a CrossGuard preview, where
    ids are still unknown) by the recorded property dependency."""
    return str(resource.get(key)) in values or target.urn in resource.property_dependencies.get(
        key, ()
    )


def _config_of(graph: Graph, bucket: Resource, token: str) -> list[Resource]:
    keys = _bucket_keys(bucket)
    return [r for r in graph.of_type(token) if _refers(r, bucket, "bucket", keys)]


def _trail_buckets(graph: Graph) -> list[Resource]:
    names = {str(trail.get("s3BucketName")) for trail in graph.of_type(t.CLOUDTRAIL)}
    return [b for b in graph.of_type(t.S3_BUCKET) if _bucket_keys(b) & names]


def _evidence_buckets(graph: Graph) -> list[Resource]:
    return [
        b
        for b in graph.of_type(t.S3_BUCKET)
        if _tags(b).get(PURPOSE_TAG) == "evidence" or "evidence" in b.name.lower()
    ]


def _stores(graph: Graph) -> list[Resource]:
    seen: dict[str, Resource] = {}
    for bucket in _trail_buckets(graph) + _evidence_buckets(graph):
        seen[bucket.urn] = bucket
    return list(seen.values())


def _log_destinations(graph: Graph) -> set[str]:
    """Bucket names a program sends logs to: S3 access logs, load balancer access logs,
    CloudFront standard logs (`<bucket>.s3.amazonaws.com`), flow logs (`arn:aws:s3:::<bucket>`)."""
    names = {str(c.get("targetBucket")) for c in graph.of_type(t.S3_LOGGING)}
    for balancer in graph.of_type(t.LOAD_BALANCER):
        logs = balancer.get("accessLogs") or {}
        if logs.get("enabled") is not False and logs.get("bucket"):
            names.add(str(logs["bucket"]))
    for distribution in graph.of_type(t.CLOUDFRONT_DISTRIBUTION):
        bucket = str((distribution.get("loggingConfig") or {}).get("bucket") or "")
        if bucket:
            names.add(bucket.split(".s3", 1)[0])
    for flow in graph.of_type(t.FLOW_LOG):
        destination = str(flow.get("logDestination") or "")
        if destination.startswith("arn:aws:s3:::"):
            names.add(destination.removeprefix("arn:aws:s3:::").split("/", 1)[0])
    return names


def _evidence_bearing(graph: Graph) -> list[Resource]:
    """The stores, and every bucket of the program that receives logs."""
    found = {b.urn: b for b in _stores(graph)}
    destinations = _log_destinations(graph)
    for bucket in graph.of_type(t.S3_BUCKET):
        if _bucket_keys(bucket) & destinations:
            found.setdefault(bucket.urn, bucket)
    return list(found.values())


def lock_settings(config: Resource) -> tuple[str | None, int]:
    """(mode, days) of an Object Lock configuration's default retention."""
    retention = (config.get("rule") or {}).get("defaultRetention") or {}
    days = int(retention.get("days") or 0) + 365 * int(retention.get("years") or 0)
    return retention.get("mode"), days


def lock_problem(config: Resource, context: Context) -> str | None:
    mode, days = lock_settings(config)
    if mode is None:
        return "no Object Lock default retention"
    if mode != "COMPLIANCE":
        return f"Object Lock in {mode} mode: privileged users can delete"
    if days < context.retention_days:
        return f"retention {days} days, required {context.retention_days}"
    return None


LIFECYCLE_DELETES = (
    ("expiration", "days", "objects"),
    ("noncurrentVersionExpiration", "noncurrentDays", "deleted or overwritten objects"),
)


def lifecycle_problem(config: Resource, context: Context) -> str | None:
    for rule in as_list(config.get("rules")):
        if rule.get("status", "Enabled") != "Enabled":
            continue
        for key, field, what in LIFECYCLE_DELETES:
            for entry in as_list(rule.get(key)):
                days = entry.get(field)
                if days is not None and int(days) < context.retention_days:
                    return (
                        f"lifecycle rule {rule.get('id', '?')} deletes {what} after "
                        f"{int(days)} days, before the {context.retention_days}-day retention"
                    )
    return None


def multi_region_problem(trail: Resource) -> str | None:
    if trail.get("isMultiRegionTrail") is True and trail.get("enableLogging") is not False:
        return None
    return f"{trail.name} is not a logging multi-region trail"


def _lock(graph: Graph, bucket: Resource) -> tuple[str | None, int]:
    """(mode, days) of the bucket's default Object Lock retention."""
    for config in _config_of(graph, bucket, t.S3_OBJECT_LOCK):
        return lock_settings(config)
    return None, 0


def _per_store(graph: Graph, check: Any) -> list[Verdict]:
    return [Verdict(bucket, check(bucket)) for bucket in _stores(graph)]


def selects(trail: Resource, resource_type: str) -> bool:
    """Whether the trail records data events for `resource_type` (e.g. AWS::S3::Object)."""
    for selector in as_list(trail.get("advancedEventSelectors")):
        fields = {f.get("field"): f for f in as_list(selector.get("fieldSelectors"))}
        types = as_list(fields.get("resources.type", {}).get("equals"))
        if resource_type in types:
            return True
    for selector in as_list(trail.get("eventSelectors")):
        for data in as_list(selector.get("dataResources")):
            if data.get("type") == resource_type:
                return True
    return False


def _known_vpcs(graph: Graph) -> set[str]:
    vpcs = {str(v.id) for v in graph.of_type(t.VPC) if v.id}
    vpcs |= {str(f.get("vpcId")) for f in graph.of_type(t.FLOW_LOG) if f.get("vpcId")}
    configured = graph.config.get("prewire:aws.vpcIds")
    if configured:
        with contextlib.suppress(ValueError, TypeError):
            vpcs |= {str(v) for v in json.loads(configured)}
    return vpcs


def _role_named(graph: Graph, *fragments: str) -> list[Resource]:
    found = []
    for role in graph.of_type(t.IAM_ROLE):
        names = " ".join(str(n) for n in (role.name, role.get("name")) if n).lower()
        if any(f in names for f in fragments) or _tags(role).get(ROLE_TAG) in fragments:
            found.append(role)
    return found


def _role_documents(graph: Graph, role: Resource) -> list[dict[str, Any]]:
    """Inline and attached (declared in the program) policy documents of a role."""
    keys = {str(v) for v in (role.id, role.get("name"), role.outputs.get("arn")) if v}
    documents = [
        as_document(p.get("policy"))
        for p in graph.of_type(t.IAM_ROLE_POLICY)
        if str(p.get("role")) in keys
    ]
    documents += [as_document(p.get("policy")) for p in as_list(role.get("inlinePolicies"))]
    attached = {
        str(a.get("policyArn"))
        for a in graph.of_type(t.IAM_ROLE_POLICY_ATTACHMENT)
        if str(a.get("role")) in keys
    }
    attached |= {str(arn) for arn in as_list(role.get("managedPolicyArns"))}
    documents += [
        as_document(p.get("policy"))
        for p in graph.of_type(t.IAM_POLICY)
        if str(p.outputs.get("arn")) in attached
    ]
    return documents


def _allowed_actions(document: dict[str, Any]) -> list[str]:
    return [
        str(a)
        for s in statements(document)
        if s.get("Effect") == "Allow"
        for a in as_list(s.get("Action"))
    ]


def _trusted_services(role: Resource) -> set[str]:
    services: set[str] = set()
    for statement in statements(as_document(role.get("assumeRolePolicy"))):
        principal = statement.get("Principal") or {}
        if isinstance(principal, dict):
            services |= {str(s) for s in as_list(principal.get("Service"))}
    return services
