"""Static rules for the AWS controls (see policies/controls/aws.py for what each one means)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from policies.baseline import BaselineVerdict, baseline_check
from policies.findings import Status
from policies.static.engine import (
    NOT_APPLICABLE,
    Context,
    Verdict,
    as_document,
    as_list,
    graph_rule,
    resource_rule,
    statements,
)
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource
from prewire.core.vocabulary import EKS_CONTROL_PLANE_LOG_TYPES, EKS_LOG_SHIPPER_ADDON

EKS_LOG_TYPES = frozenset(EKS_CONTROL_PLANE_LOG_TYPES)
FLOW_FIELDS = ("${instance-id}", "${pkt-srcaddr}", "${pkt-dstaddr}", "${flow-direction}")
CRITICAL_TAG = "prewire:critical"
PURPOSE_TAG = "prewire:purpose"
ROLE_TAG = "prewire:role"


# -- helpers ---------------------------------------------------------------------------------------


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


# -- CloudTrail ------------------------------------------------------------------------------------


@graph_rule("AWS-TRAIL-001")
def multi_region_trail(graph: Graph, context: Context) -> list[Verdict]:
    trails = graph.of_type(t.CLOUDTRAIL)
    if not trails:
        return [Verdict(None, "no CloudTrail trail in the program")]
    logging = [tr for tr in trails if multi_region_problem(tr) is None]
    if logging:
        return [Verdict(tr, None, f"{tr.name} is multi-region and logging") for tr in logging]
    return [Verdict(tr, multi_region_problem(tr)) for tr in trails]


@resource_rule("AWS-TRAIL-002", t.CLOUDTRAIL)
def trail_validation(trail: Resource, context: Context) -> str | None:
    return None if trail.get("enableLogFileValidation") is True else "log file validation is off"


@resource_rule("AWS-TRAIL-003", t.CLOUDTRAIL)
def trail_kms(trail: Resource, context: Context) -> str | None:
    return None if trail.get("kmsKeyId") else "no kms_key_id: logs use S3-managed encryption"


@resource_rule("AWS-TRAIL-004", t.CLOUDTRAIL)
def trail_cloudwatch(trail: Resource, context: Context) -> str | None:
    return None if trail.get("cloudWatchLogsGroupArn") else "not delivered to CloudWatch Logs"


@graph_rule("AWS-TRAIL-005")
def trail_s3_data_events(graph: Graph, context: Context) -> list[Verdict]:
    trails = graph.of_type(t.CLOUDTRAIL)
    selecting = [tr for tr in trails if selects(tr, "AWS::S3::Object")]
    if not trails:
        return []
    if selecting:
        return [Verdict(tr, None, "records S3 object events") for tr in selecting]
    return [Verdict(None, "no trail records S3 object-level (data) events")]


@graph_rule("AWS-TRAIL-006")
def trail_lambda_data_events(graph: Graph, context: Context) -> list[Verdict]:
    trails = graph.of_type(t.CLOUDTRAIL)
    selecting = [tr for tr in trails if selects(tr, "AWS::Lambda::Function")]
    if not trails:
        return []
    if selecting:
        return [Verdict(tr, None, "records Lambda invocations") for tr in selecting]
    return [Verdict(None, "no trail records Lambda invoke (data) events")]


@resource_rule("AWS-TRAIL-007", t.CLOUDTRAIL)
def trail_global_events(trail: Resource, context: Context) -> str | None:
    if trail.get("includeGlobalServiceEvents") is False:
        return "global service events (IAM, STS) are excluded"
    return None


# -- stores ----------------------------------------------------------------------------------------


@graph_rule("AWS-STORE-001")
def locked_evidence_store(graph: Graph, context: Context) -> list[Verdict]:
    locked = [b for b in _evidence_buckets(graph) if _lock(graph, b)[0] == "COMPLIANCE"]
    if locked:
        return [Verdict(b, None, "evidence store locked in COMPLIANCE mode") for b in locked]
    return [
        Verdict(
            None,
            "no evidence bucket with Object Lock in COMPLIANCE mode "
            "(tag it prewire:purpose=evidence)",
        )
    ]


@graph_rule("AWS-STORE-002")
def stores_locked_for_retention(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        configs = _config_of(graph, bucket, t.S3_OBJECT_LOCK)
        return lock_problem(configs[0], context) if configs else "no Object Lock default retention"

    return _per_store(graph, check)


@graph_rule("AWS-STORE-003")
def stores_versioned(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        for config in _config_of(graph, bucket, t.S3_VERSIONING):
            if (config.get("versioningConfiguration") or {}).get("status") == "Enabled":
                return None
        if (bucket.get("versioning") or {}).get("enabled"):
            return None
        return "versioning is not enabled"

    return _per_store(graph, check)


@graph_rule("AWS-STORE-004")
def stores_kms(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        for config in _config_of(graph, bucket, t.S3_ENCRYPTION):
            for rule in as_list(config.get("rules")):
                default = rule.get("applyServerSideEncryptionByDefault") or {}
                if default.get("sseAlgorithm") in ("aws:kms", "aws:kms:dsse") and default.get(
                    "kmsMasterKeyId"
                ):
                    return None
        return "no default SSE-KMS encryption with a customer-managed key"

    return _per_store(graph, check)


@graph_rule("AWS-STORE-005")
def stores_private(graph: Graph, context: Context) -> list[Verdict]:
    settings = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")

    def check(bucket: Resource) -> str | None:
        for block in _config_of(graph, bucket, t.S3_PUBLIC_ACCESS_BLOCK):
            missing = [s for s in settings if block.get(s) is not True]
            return f"public access block incomplete: {', '.join(missing)}" if missing else None
        return "no public access block"

    return _per_store(graph, check)


@graph_rule("AWS-STORE-006")
def stores_tls_only(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        for policy in _config_of(graph, bucket, t.S3_POLICY):
            for statement in statements(as_document(policy.get("policy"))):
                condition = statement.get("Condition") or {}
                secure = (condition.get("Bool") or {}).get("aws:SecureTransport")
                if statement.get("Effect") == "Deny" and str(secure).lower() == "false":
                    return None
        return "no bucket policy denying requests without TLS"

    return _per_store(graph, check)


@graph_rule("AWS-STORE-007")
def no_early_expiry(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        problems = [
            lifecycle_problem(c, context) for c in _config_of(graph, bucket, t.S3_LIFECYCLE)
        ]
        return next((p for p in problems if p), None)

    return [Verdict(bucket, check(bucket)) for bucket in _evidence_bearing(graph)]


@graph_rule("AWS-STORE-008")
def stores_access_logged(graph: Graph, context: Context) -> list[Verdict]:
    def check(bucket: Resource) -> str | None:
        return None if _config_of(graph, bucket, t.S3_LOGGING) else "no server access logging"

    return _per_store(graph, check)


# -- network ---------------------------------------------------------------------------------------


@graph_rule("AWS-FLOW-001")
def vpc_flow_logs(graph: Graph, context: Context) -> list[Verdict]:
    covered = {str(f.get("vpcId")) for f in graph.of_type(t.FLOW_LOG) if f.get("vpcId")}
    vpc_resources = {str(v.id): v for v in graph.of_type(t.VPC)}
    return [
        Verdict(
            vpc_resources.get(vpc),
            None if vpc in covered else f"{vpc} has no flow log",
            f"{vpc} has flow logs",
        )
        for vpc in sorted(_known_vpcs(graph))
    ]


@resource_rule("AWS-FLOW-002", t.FLOW_LOG)
def flow_log_fields(flow_log: Resource, context: Context) -> str | None:
    if flow_log.get("trafficType") != "ALL":
        return f"traffic type {flow_log.get('trafficType')}, not ALL"
    log_format = str(flow_log.get("logFormat") or "")
    missing = [f for f in FLOW_FIELDS if f not in log_format]
    return f"log format lacks {', '.join(missing)}" if missing else None


def _group_rules(group: Resource) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    return as_list(group.get("ingress")), as_list(group.get("egress"))


def _is_isolation(group: Resource) -> bool:
    if _tags(group).get(ROLE_TAG) == "isolation":
        return True
    ingress, egress = _group_rules(group)
    return not ingress and all(r.get("securityGroups") and not r.get("cidrBlocks") for r in egress)


def _is_conversion(group: Resource) -> bool:
    if _tags(group).get(ROLE_TAG) == "conversion":
        return True
    ingress, egress = _group_rules(group)

    def everything(rules: list[dict[str, Any]]) -> bool:
        return any(
            str(r.get("protocol")) == "-1" and "0.0.0.0/0" in as_list(r.get("cidrBlocks"))
            for r in rules
        )

    return everything(ingress) and everything(egress)


def _vpcs_with(graph: Graph, kind: Any) -> set[str]:
    return {str(g.get("vpcId")) for g in graph.of_type(t.SECURITY_GROUP) if kind(g)}


@graph_rule("AWS-ISO-001")
def isolation_groups(graph: Graph, context: Context) -> list[Verdict]:
    ready = _vpcs_with(graph, _is_isolation)
    return [
        Verdict(
            None,
            None if vpc in ready else f"{vpc} has no isolation security group",
            f"{vpc} has an isolation group",
        )
        for vpc in sorted(_known_vpcs(graph))
    ]


@graph_rule("AWS-ISO-002")
def conversion_groups(graph: Graph, context: Context) -> list[Verdict]:
    ready = _vpcs_with(graph, _is_conversion)
    return [
        Verdict(
            None,
            None if vpc in ready else f"{vpc} has no conversion security group",
            f"{vpc} has a conversion group",
        )
        for vpc in sorted(_known_vpcs(graph))
    ]


# -- detection -------------------------------------------------------------------------------------


@graph_rule("AWS-GUARDDUTY-001")
def guardduty_enabled(graph: Graph, context: Context) -> list[Verdict]:
    detectors = graph.of_type(t.GUARDDUTY_DETECTOR)
    if not detectors:
        return [Verdict(None, "no GuardDuty detector")]
    return [
        Verdict(d, None if d.get("enable") is not False else "detector is disabled")
        for d in detectors
    ]


@graph_rule("AWS-GUARDDUTY-002")
def guardduty_containers(graph: Graph, context: Context) -> list[Verdict]:
    enabled = {
        str(f.get("name"))
        for f in graph.of_type(t.GUARDDUTY_FEATURE)
        if f.get("status") == "ENABLED"
    }
    verdicts = []
    for detector in graph.of_type(t.GUARDDUTY_DETECTOR):
        missing = [
            f
            for f in ("EKS_AUDIT_LOGS", "RUNTIME_MONITORING")
            if f not in enabled
            and not (f == "RUNTIME_MONITORING" and "EKS_RUNTIME_MONITORING" in enabled)
        ]
        verdicts.append(
            Verdict(detector, f"features off: {', '.join(missing)}" if missing else None)
        )
    return verdicts


@graph_rule("AWS-CONFIG-001")
def config_recording(graph: Graph, context: Context) -> list[Verdict]:
    recorders = graph.of_type(t.CONFIG_RECORDER)
    if not recorders:
        return [Verdict(None, "no AWS Config recorder")]
    problems = []
    group = recorders[0].get("recordingGroup") or {}
    if group.get("allSupported") is not True:
        problems.append("does not record all supported resources")
    if not graph.of_type(t.CONFIG_DELIVERY_CHANNEL):
        problems.append("no delivery channel")
    if not [s for s in graph.of_type(t.CONFIG_RECORDER_STATUS) if s.get("isEnabled")]:
        problems.append("recording is not started")
    return [Verdict(recorders[0], "; ".join(problems) or None)]


# -- snapshots -------------------------------------------------------------------------------------


@graph_rule("AWS-SNAP-001")
def snapshot_automation(graph: Graph, context: Context) -> list[Verdict]:
    selections = graph.of_type(t.BACKUP_SELECTION)
    policies = graph.of_type(t.DLM_POLICY)
    found = selections + policies
    if not found:
        return [Verdict(None, "no AWS Backup selection or DLM policy takes snapshots")]
    return [Verdict(r, None, "snapshots automated") for r in found]


@graph_rule("AWS-SNAP-002")
def vaults_locked(graph: Graph, context: Context) -> list[Verdict]:
    locks = {str(lock.get("backupVaultName")) for lock in graph.of_type(t.BACKUP_VAULT_LOCK)}
    return [
        Verdict(
            v,
            None
            if {str(v.outputs.get("name")), str(v.get("name")), str(v.id)} & locks
            else "no Vault Lock",
        )
        for v in graph.of_type(t.BACKUP_VAULT)
    ]


# -- identity --------------------------------------------------------------------------------------


@graph_rule("AWS-IAM-001")
def quarantine_policy(graph: Graph, context: Context) -> list[Verdict]:
    for policy in graph.of_type(t.IAM_POLICY):
        for statement in statements(as_document(policy.get("policy"))):
            if (
                statement.get("Effect") == "Deny"
                and "*" in as_list(statement.get("Action"))
                and "*" in as_list(statement.get("Resource"))
                and not statement.get("Condition")
            ):
                return [Verdict(policy, None, "deny-all quarantine policy present")]
    return [Verdict(None, "no managed policy that denies everything (quarantine)")]


def _break_glass(graph: Graph) -> list[Resource]:
    return _role_named(graph, "break-glass", "breakglass", "break_glass")


def _requires_mfa(role: Resource) -> bool:
    allows = [
        s
        for s in statements(as_document(role.get("assumeRolePolicy")))
        if s.get("Effect") == "Allow"
    ]
    return bool(allows) and all(
        str(
            ((s.get("Condition") or {}).get("Bool") or {}).get("aws:MultiFactorAuthPresent")
        ).lower()
        == "true"
        for s in allows
    )


@graph_rule("AWS-IAM-002")
def break_glass_mfa(graph: Graph, context: Context) -> list[Verdict]:
    roles = _break_glass(graph)
    if not roles:
        return [Verdict(None, "no break-glass role (a role named or tagged break-glass)")]
    return [Verdict(r, None if _requires_mfa(r) else "can be assumed without MFA") for r in roles]


@graph_rule("AWS-IAM-003")
def break_glass_sessions(graph: Graph, context: Context) -> list[Verdict]:
    return [
        Verdict(
            r,
            None
            if int(r.get("maxSessionDuration") or 3600) <= 3600
            else f"sessions last {r.get('maxSessionDuration')}s",
        )
        for r in _break_glass(graph)
    ]


@graph_rule("AWS-IAM-004")
def break_glass_alert(graph: Graph, context: Context) -> list[Verdict]:
    verdicts = []
    targeted = {str(target.get("rule")) for target in graph.of_type(t.EVENT_TARGET)}
    for role in _break_glass(graph):
        identifiers = {str(v) for v in (role.outputs.get("arn"), role.get("name")) if v}
        alerting = [
            rule
            for rule in graph.of_type(t.EVENT_RULE)
            if "AssumeRole" in str(rule.get("eventPattern"))
            and any(i in str(rule.get("eventPattern")) for i in identifiers)
            and {str(rule.outputs.get("name")), str(rule.get("name")), str(rule.id)} & targeted
        ]
        verdicts.append(Verdict(role, None if alerting else "no alert on its assumption"))
    return verdicts


@graph_rule("AWS-IAM-005")
def responder_scope(graph: Graph, context: Context) -> list[Verdict]:
    verdicts = []
    for role in _role_named(graph, "responder"):
        wild = [
            a
            for d in _role_documents(graph, role)
            for a in _allowed_actions(d)
            if a == "*" or a.endswith(":*")
        ]
        admin = [
            a
            for a in graph.of_type(t.IAM_ROLE_POLICY_ATTACHMENT)
            if str(a.get("policyArn")).endswith("/AdministratorAccess")
            and str(a.get("role")) in {str(role.get("name")), str(role.id)}
        ]
        problem = None
        if wild or admin:
            problem = (
                f"wildcard permissions: {', '.join(sorted(set(wild)) or ['AdministratorAccess'])}"
            )
        verdicts.append(Verdict(role, problem))
    return verdicts


# -- workloads -------------------------------------------------------------------------------------


@resource_rule("AWS-EKS-001", t.EKS_CLUSTER)
def eks_logging(cluster: Resource, context: Context) -> str | None:
    missing = EKS_LOG_TYPES - {str(v) for v in as_list(cluster.get("enabledClusterLogTypes"))}
    return f"control-plane log types off: {', '.join(sorted(missing))}" if missing else None


@graph_rule("AWS-EKS-002")
def eks_log_retention(graph: Graph, context: Context) -> list[Verdict]:
    groups = {str(g.get("name")): g for g in graph.of_type(t.LOG_GROUP)}
    verdicts = []
    for cluster in graph.of_type(t.EKS_CLUSTER):
        name = str(cluster.get("name") or cluster.outputs.get("name"))
        group = groups.get(f"/aws/eks/{name}/cluster")
        if group is None:
            verdicts.append(
                Verdict(
                    cluster,
                    f"/aws/eks/{name}/cluster is not declared: EKS "
                    "creates it with logs kept forever, unmanaged",
                )
            )
            continue
        days = int(group.get("retentionInDays") or 0)
        short = 0 < days < context.retention_days
        verdicts.append(Verdict(cluster, f"control-plane logs kept {days} days" if short else None))
    return verdicts


LOG_SHIPPER_ADDON = EKS_LOG_SHIPPER_ADDON


@graph_rule("AWS-EKS-003")
def eks_container_logs(graph: Graph, context: Context) -> list[Verdict]:
    addons = {
        str(a.get("clusterName"))
        for a in graph.of_type(t.EKS_ADDON)
        if a.get("addonName") == LOG_SHIPPER_ADDON
    }
    groups = {str(g.get("name")) for g in graph.of_type(t.LOG_GROUP)}
    verdicts = []
    for cluster in graph.of_type(t.EKS_CLUSTER):
        name = str(cluster.get("name") or cluster.outputs.get("name"))
        shipped = name in addons or f"/aws/containerinsights/{name}/application" in groups
        verdicts.append(Verdict(cluster, None if shipped else "container logs stay on the nodes"))
    return verdicts


@resource_rule("AWS-LAMBDA-001", t.LAMBDA_FUNCTION)
def lambda_versions(function: Resource, context: Context) -> str | None:
    return None if function.get("publish") is True else "does not publish versions ($LATEST only)"


@graph_rule("AWS-LAMBDA-002")
def no_version_deletion(graph: Graph, context: Context) -> list[Verdict]:
    automation = {
        "lambda.amazonaws.com",
        "events.amazonaws.com",
        "scheduler.amazonaws.com",
        "states.amazonaws.com",
    }
    verdicts = []
    for role in graph.of_type(t.IAM_ROLE):
        if not _trusted_services(role) & automation:
            continue
        deleting = [
            a
            for d in _role_documents(graph, role)
            for a in _allowed_actions(d)
            if a in ("lambda:DeleteFunction", "lambda:*", "*")
        ]
        verdicts.append(
            Verdict(
                role,
                f"automation role may delete function versions ({deleting[0]})"
                if deleting
                else None,
            )
        )
    return verdicts


@resource_rule("AWS-ECS-001", t.ECS_CLUSTER)
def ecs_exec_logging(cluster: Resource, context: Context) -> str | None:
    configuration = (cluster.get("configuration") or {}).get("executeCommandConfiguration") or {}
    logging = configuration.get("logging")
    if logging in ("DEFAULT", "OVERRIDE"):
        return None
    return f"ECS Exec logging is {logging or 'not configured'}"


@resource_rule("AWS-ECS-002", t.ECS_TASK_DEFINITION)
def ecs_log_driver(definition: Resource, context: Context) -> str | None:
    containers = definition.get("containerDefinitions")
    if isinstance(containers, str):
        try:
            containers = json.loads(containers)
        except json.JSONDecodeError:
            return "container definitions are not valid JSON"
    missing = [c.get("name", "?") for c in as_list(containers) if not c.get("logConfiguration")]
    return f"containers without a log driver: {', '.join(missing)}" if missing else None


@graph_rule("AWS-SSM-001")
def session_logging(graph: Graph, context: Context) -> list[Verdict]:
    for document in graph.of_type(t.SSM_DOCUMENT):
        if document.get("documentType") != "Session":
            continue
        inputs = as_document(document.get("content")).get("inputs") or {}
        if inputs.get("cloudWatchLogGroupName") or inputs.get("s3BucketName"):
            return [Verdict(document, None, "sessions are logged")]
        return [Verdict(document, "Session Manager preferences log nowhere")]
    return [Verdict(None, "no Session Manager preferences document (SSM-SessionManagerRunShell)")]


@resource_rule("AWS-LOGS-001", t.LOG_GROUP)
def log_retention(group: Resource, context: Context) -> str | None:
    days = int(group.get("retentionInDays") or 0)
    if 0 < days < context.retention_days:
        return f"keeps logs {days} days, required {context.retention_days}"
    return None


def _is_critical(resource: Resource) -> bool:
    tags = _tags(resource)
    if not tags:
        tags = {
            str(tag.get("key")): str(tag.get("value"))
            for tag in as_list(resource.get("tags"))
            if isinstance(tag, dict)
        }
    return tags.get(CRITICAL_TAG, "").lower() == "true"


@resource_rule("AWS-EBS-001", t.EC2_INSTANCE, t.LAUNCH_TEMPLATE)
def critical_volumes_kept(resource: Resource, context: Context) -> Any:
    if not _is_critical(resource):
        return NOT_APPLICABLE
    deleting = []
    if resource.type == t.EC2_INSTANCE:  # an instance's own blocks
        root = resource.get("rootBlockDevice") or {}
        if root.get("deleteOnTermination", True) is not False:
            deleting.append("root")
        for device in as_list(resource.get("ebsBlockDevices")):
            if device.get("deleteOnTermination", True) is not False:
                deleting.append(str(device.get("deviceName")))
    else:  # a launch template's mappings; the instance defaults are the image's
        for mapping in as_list(resource.get("blockDeviceMappings")):
            kept = str((mapping.get("ebs") or {}).get("deleteOnTermination", "true")).lower()
            if kept != "false":
                deleting.append(str(mapping.get("deviceName")))
    return f"volumes deleted on termination: {', '.join(deleting)}" if deleting else None


@resource_rule("AWS-ASG-001", t.AUTOSCALING_GROUP)
def termination_hook(group: Resource, context: Context) -> Any:
    if not _is_critical(group):
        return NOT_APPLICABLE
    hooks = [
        h
        for h in as_list(group.get("initialLifecycleHooks"))
        if h.get("lifecycleTransition") == "autoscaling:EC2_INSTANCE_TERMINATING"
    ]
    return None if hooks else "no termination lifecycle hook"


@graph_rule("AWS-RESP-001")
def responder_wired(graph: Graph, context: Context) -> list[Verdict]:
    targeted = {str(target.get("rule")) for target in graph.of_type(t.EVENT_TARGET)}
    for rule in graph.of_type(t.EVENT_RULE):
        if (
            "aws.guardduty" in str(rule.get("eventPattern"))
            and {str(rule.outputs.get("name")), str(rule.get("name")), str(rule.id)} & targeted
        ):
            return [Verdict(rule, None, "GuardDuty findings reach a responder")]
    return [Verdict(None, "no EventBridge rule routes GuardDuty findings to a responder")]


# -- what a workload relies on the baseline for ----------------------------------------------------


def _used_vpcs(graph: Graph) -> dict[str, Resource]:
    """VPCs a program declares or places resources in, by id, with a resource naming each."""
    used: dict[str, Resource] = {str(v.id): v for v in graph.of_type(t.VPC) if v.id}
    for resource in graph.of_type(*t.VPC_MEMBERS):
        vpc = resource.inputs.get("vpcId")
        if isinstance(vpc, str) and vpc.startswith("vpc-"):
            used.setdefault(vpc, resource)
    return used


def _groups_from_baseline(graph: Graph, groups: Any, kind: str) -> list[BaselineVerdict]:
    declared = {str(v.id) for v in graph.of_type(t.VPC)}
    verdicts = []
    for vpc, user in sorted(_used_vpcs(graph).items()):
        if vpc in declared:
            status, message = (
                Status.BASELINE,
                f"{vpc} is new in this program: once deployed, add its id to prewire:aws.vpcIds "
                f"of the baseline stack, which creates its {kind} group",
            )
        elif groups is None:
            status, message = (
                Status.BASELINE,
                f"{vpc}: its {kind} group comes from the baseline stack "
                "(pass --baseline-stack-outputs to check it)",
            )
        elif vpc in graph.placeholders:
            status, message = (
                Status.BASELINE,
                f"{vpc} is looked up at deploy time and cannot be matched offline: "
                "check the deployed account with `prewire audit aws`",
            )
        elif isinstance(groups, dict) and groups.get(vpc):
            status, message = Status.PASSED, f"{vpc}: {kind} group {groups[vpc]} in the baseline"
        else:
            status, message = (
                Status.FAILED,
                f"{vpc} has no {kind} group in the baseline stack: add it to prewire:aws.vpcIds",
            )
        verdicts.append(BaselineVerdict(user, status, message))
    return verdicts


@baseline_check("AWS-ISO-001")
def isolation_from_baseline(graph: Graph, groups: Any) -> list[BaselineVerdict]:
    return _groups_from_baseline(graph, groups, "isolation")


@baseline_check("AWS-ISO-002")
def conversion_from_baseline(graph: Graph, groups: Any) -> list[BaselineVerdict]:
    return _groups_from_baseline(graph, groups, "conversion")
