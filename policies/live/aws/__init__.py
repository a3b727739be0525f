"""Live checks for the AWS controls, over the account's APIs.

Where the API returns the same shape a Pulumi program declares (an Object Lock rule, a lifecycle
rule, a flow log, a log group, a container definition), the response is turned into the camelCase
shape the static rules read and the same rule function decides.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any
from urllib.parse import unquote

import botocore.exceptions

from policies.live.engine import (
    LiveContext,
    LiveVerdict,
    failed,
    live_check,
    passed,
    unknown,
    verdict,
)
from policies.static import aws as rules
from policies.static.engine import Context, as_list, statements
from prewire.core.graph import Resource
from prewire.core.vocabulary import Cloud
from responders.aws.parameters import SESSION_PREFERENCES_DOCUMENT
from responders.aws.session import error_code, is_api_gap
from responders.registry import required_permissions

NOT_CONFIGURED = {
    "ObjectLockConfigurationNotFoundError",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchPublicAccessBlockConfiguration",
    "NoSuchBucketPolicy",
    "NoSuchLifecycleConfiguration",
    "NoSuchTagSet",
    "NoSuchEntity",
    "ResourceNotFoundException",
    "InvalidDocument",
}


def camel_keys(value: Any) -> Any:
    """AWS API shapes (PascalCase) into the camelCase shape the static rules read."""
    if isinstance(value, dict):
        return {
            (k.lower() if k.isupper() else k[:1].lower() + k[1:]): camel_keys(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [camel_keys(v) for v in value]
    return value


def as_resource(kind: str, name: str, data: dict[str, Any]) -> Resource:
    return Resource(
        urn=f"live::{kind}::{name}",
        type=kind,
        name=name,
        inputs=camel_keys(data),
        outputs={"id": name},
    )


def optional(call: Any, **params: Any) -> Any:
    """The call's result, or None when the thing is simply not configured."""
    try:
        return call(**params)
    except botocore.exceptions.ClientError as error:
        if error_code(error) in NOT_CONFIGURED:
            return None
        raise


def context_of(ctx: LiveContext) -> Context:
    return Context(retention_days=ctx.retention_days)


# -- CloudTrail ------------------------------------------------------------------------------------


def trails(ctx: LiveContext) -> list[dict[str, Any]]:
    return ctx.once(
        "trails",
        lambda: [
            dict(t)
            for t in ctx.clients.cloudtrail.describe_trails(includeShadowTrails=True)["trailList"]
        ],
    )


def trail_logging(ctx: LiveContext, trail: dict[str, Any]) -> bool:
    status = ctx.clients.cloudtrail.get_trail_status(Name=trail["TrailARN"])
    return bool(status.get("IsLogging"))


def selectors(ctx: LiveContext, trail: dict[str, Any]) -> Resource:
    found = ctx.clients.cloudtrail.get_event_selectors(TrailName=trail["TrailARN"])
    return as_resource(
        "trail",
        trail["Name"],
        {
            "AdvancedEventSelectors": found.get("AdvancedEventSelectors", []),
            "EventSelectors": found.get("EventSelectors", []),
        },
    )


@live_check("AWS-TRAIL-001")
def multi_region_trail(ctx: LiveContext) -> list[LiveVerdict]:
    found = trails(ctx)
    logging = [t for t in found if t.get("IsMultiRegionTrail") and trail_logging(ctx, t)]
    if logging:
        return [passed(t["TrailARN"], "multi-region and logging") for t in logging]
    return [failed(None, "no logging multi-region trail covers this region")]


def _per_trail(ctx: LiveContext, problem: Any) -> list[LiveVerdict]:
    return [verdict(t["TrailARN"], problem(t)) for t in trails(ctx)]


@live_check("AWS-TRAIL-002")
def trail_validation(ctx: LiveContext) -> list[LiveVerdict]:
    return _per_trail(
        ctx, lambda t: None if t.get("LogFileValidationEnabled") else "log file validation is off"
    )


@live_check("AWS-TRAIL-003")
def trail_kms(ctx: LiveContext) -> list[LiveVerdict]:
    return _per_trail(ctx, lambda t: None if t.get("KmsKeyId") else "not encrypted with a CMK")


@live_check("AWS-TRAIL-004")
def trail_cloudwatch(ctx: LiveContext) -> list[LiveVerdict]:
    return _per_trail(
        ctx,
        lambda t: (
            None if t.get("CloudWatchLogsLogGroupArn") else "not delivered to CloudWatch Logs"
        ),
    )


def _data_events(ctx: LiveContext, resource_type: str) -> list[LiveVerdict]:
    if not trails(ctx):
        return []
    selecting = [t for t in trails(ctx) if rules.selects(selectors(ctx, t), resource_type)]
    if selecting:
        return [passed(t["TrailARN"], f"records {resource_type} data events") for t in selecting]
    return [failed(None, f"no trail records {resource_type} data events")]


@live_check("AWS-TRAIL-005")
def trail_s3_data(ctx: LiveContext) -> list[LiveVerdict]:
    return _data_events(ctx, "AWS::S3::Object")


@live_check("AWS-TRAIL-006")
def trail_lambda_data(ctx: LiveContext) -> list[LiveVerdict]:
    return _data_events(ctx, "AWS::Lambda::Function")


@live_check("AWS-TRAIL-007")
def trail_global(ctx: LiveContext) -> list[LiveVerdict]:
    return _per_trail(
        ctx,
        lambda t: None if t.get("IncludeGlobalServiceEvents") else "global service events excluded",
    )


# -- stores ----------------------------------------------------------------------------------------


def stores(ctx: LiveContext) -> list[str]:
    names = {t["S3BucketName"] for t in trails(ctx) if t.get("S3BucketName")}
    names |= {n for n in (ctx.prewired.evidence_bucket, ctx.prewired.audit_bucket) if n}
    return sorted(names)


def bucket_lock(ctx: LiveContext, bucket: str) -> Resource | None:
    found = optional(ctx.clients.s3.get_object_lock_configuration, Bucket=bucket)
    if found is None:
        return None
    return as_resource("lock", bucket, found["ObjectLockConfiguration"])


def _per_store(ctx: LiveContext, problem: Any) -> list[LiveVerdict]:
    return [verdict(f"arn:aws:s3:::{b}", problem(b)) for b in stores(ctx)]


@live_check("AWS-STORE-001", account_wide=True)
def locked_evidence(ctx: LiveContext) -> list[LiveVerdict]:
    bucket = ctx.prewired.evidence_bucket
    if not bucket:
        return [failed(None, "no evidence bucket published at /prewire/aws/evidence-bucket")]
    lock = bucket_lock(ctx, bucket)
    mode, _ = rules.lock_settings(lock) if lock else (None, 0)
    return [
        verdict(
            f"arn:aws:s3:::{bucket}",
            None if mode == "COMPLIANCE" else f"evidence bucket lock mode is {mode or 'off'}",
        )
    ]


@live_check("AWS-STORE-002", account_wide=True)
def stores_locked(ctx: LiveContext) -> list[LiveVerdict]:
    def problem(bucket: str) -> str | None:
        lock = bucket_lock(ctx, bucket)
        return rules.lock_problem(lock, context_of(ctx)) if lock else "no Object Lock"

    return _per_store(ctx, problem)


@live_check("AWS-STORE-003", account_wide=True)
def stores_versioned(ctx: LiveContext) -> list[LiveVerdict]:
    return _per_store(
        ctx,
        lambda b: (
            None
            if ctx.clients.s3.get_bucket_versioning(Bucket=b).get("Status") == "Enabled"
            else "versioning is not enabled"
        ),
    )


@live_check("AWS-STORE-004", account_wide=True)
def stores_kms(ctx: LiveContext) -> list[LiveVerdict]:
    def problem(bucket: str) -> str | None:
        found = optional(ctx.clients.s3.get_bucket_encryption, Bucket=bucket)
        for rule in (found or {}).get("ServerSideEncryptionConfiguration", {}).get("Rules", []):
            default = rule.get("ApplyServerSideEncryptionByDefault", {})
            if default.get("SSEAlgorithm", "").startswith("aws:kms") and default.get(
                "KMSMasterKeyID"
            ):
                return None
        return "no default SSE-KMS with a customer-managed key"

    return _per_store(ctx, problem)


@live_check("AWS-STORE-005", account_wide=True)
def stores_private(ctx: LiveContext) -> list[LiveVerdict]:
    def problem(bucket: str) -> str | None:
        found = optional(ctx.clients.s3.get_public_access_block, Bucket=bucket)
        settings = (found or {}).get("PublicAccessBlockConfiguration", {})
        missing = [
            k
            for k in (
                "BlockPublicAcls",
                "BlockPublicPolicy",
                "IgnorePublicAcls",
                "RestrictPublicBuckets",
            )
            if not settings.get(k)
        ]
        return f"public access not fully blocked: {', '.join(missing)}" if missing else None

    return _per_store(ctx, problem)


@live_check("AWS-STORE-006", account_wide=True)
def stores_tls(ctx: LiveContext) -> list[LiveVerdict]:
    def problem(bucket: str) -> str | None:
        found = optional(ctx.clients.s3.get_bucket_policy, Bucket=bucket)
        document = json.loads(found["Policy"]) if found else {}
        for statement in statements(document):
            secure = ((statement.get("Condition") or {}).get("Bool") or {}).get(
                "aws:SecureTransport"
            )
            if statement.get("Effect") == "Deny" and str(secure).lower() == "false":
                return None
        return "no bucket policy denying requests without TLS"

    return _per_store(ctx, problem)


@live_check("AWS-STORE-007", account_wide=True)
def stores_not_expired(ctx: LiveContext) -> list[LiveVerdict]:
    def problem(bucket: str) -> str | None:
        found = optional(ctx.clients.s3.get_bucket_lifecycle_configuration, Bucket=bucket)
        if not found:
            return None
        return rules.lifecycle_problem(as_resource("lifecycle", bucket, found), context_of(ctx))

    return _per_store(ctx, problem)


@live_check("AWS-STORE-008", account_wide=True)
def stores_logged(ctx: LiveContext) -> list[LiveVerdict]:
    return _per_store(
        ctx,
        lambda b: (
            None
            if ctx.clients.s3.get_bucket_logging(Bucket=b).get("LoggingEnabled")
            else "no server access logging"
        ),
    )


# -- network ---------------------------------------------------------------------------------------


def vpcs(ctx: LiveContext) -> list[str]:
    return ctx.once(
        "vpcs",
        lambda: [
            v["VpcId"]
            for page in ctx.clients.ec2.get_paginator("describe_vpcs").paginate()
            for v in page["Vpcs"]
        ],
    )


def vpcs_with_instances(ctx: LiveContext) -> set[str]:
    def build() -> set[str]:
        pages = ctx.clients.ec2.get_paginator("describe_instances").paginate(
            Filters=[
                {
                    "Name": "instance-state-name",
                    "Values": ["pending", "running", "stopping", "stopped"],
                }
            ]
        )
        return {
            i["VpcId"]
            for page in pages
            for r in page["Reservations"]
            for i in r["Instances"]
            if i.get("VpcId")
        }

    return ctx.once("vpcs-with-instances", build)


def flow_logs(ctx: LiveContext) -> list[dict[str, Any]]:
    return ctx.once(
        "flow-logs",
        lambda: [
            dict(f)
            for page in ctx.clients.ec2.get_paginator("describe_flow_logs").paginate()
            for f in page["FlowLogs"]
        ],
    )


@live_check("AWS-FLOW-001")
def vpc_flow_logs(ctx: LiveContext) -> list[LiveVerdict]:
    covered = {f["ResourceId"] for f in flow_logs(ctx)}
    return [verdict(v, None if v in covered else "no flow log", "flow logs on") for v in vpcs(ctx)]


@live_check("AWS-FLOW-002")
def flow_log_fields(ctx: LiveContext) -> list[LiveVerdict]:
    found = []
    for flow in flow_logs(ctx):
        problem = rules.flow_log_fields(
            as_resource("flow", flow["FlowLogId"], flow), context_of(ctx)
        )
        found.append(verdict(flow["FlowLogId"], problem if isinstance(problem, str) else None))
    return found


def _group(ctx: LiveContext, group_id: str | None) -> dict[str, Any] | None:
    if not group_id:
        return None
    try:
        return dict(
            ctx.clients.ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0]
        )
    except botocore.exceptions.ClientError as error:
        if error_code(error).startswith("InvalidGroup"):
            return None
        raise


def _isolation_problem(group: dict[str, Any] | None) -> str | None:
    if group is None:
        return "missing"
    if group.get("IpPermissions"):
        return f"{group['GroupId']} allows inbound traffic"
    for rule in group.get("IpPermissionsEgress", []):
        if rule.get("IpRanges") or rule.get("Ipv6Ranges") or rule.get("PrefixListIds"):
            return f"{group['GroupId']} allows outbound traffic beyond SSM endpoints"
    return None


@live_check("AWS-ISO-001")
def isolation_groups(ctx: LiveContext) -> list[LiveVerdict]:
    found = []
    for vpc in sorted(vpcs_with_instances(ctx)):
        group = _group(ctx, ctx.prewired.isolation_groups.get(vpc))
        problem = _isolation_problem(group)
        found.append(verdict(vpc, None if problem is None else f"isolation group {problem}"))
    return found


@live_check("AWS-ISO-002")
def conversion_groups(ctx: LiveContext) -> list[LiveVerdict]:
    found = []
    for vpc in sorted(vpcs_with_instances(ctx)):
        group = _group(ctx, ctx.prewired.conversion_groups.get(vpc))
        everything = group is not None and any(
            r.get("IpProtocol") == "-1" and {"CidrIp": "0.0.0.0/0"} in r.get("IpRanges", [])
            for r in group.get("IpPermissions", [])
        )
        found.append(verdict(vpc, None if everything else "no usable conversion group"))
    return found


# -- detection -------------------------------------------------------------------------------------


def detectors(ctx: LiveContext) -> list[dict[str, Any]]:
    guardduty = ctx.clients.client("guardduty")
    return ctx.once(
        "detectors",
        lambda: [
            {"DetectorId": d, **guardduty.get_detector(DetectorId=d)}
            for d in guardduty.list_detectors()["DetectorIds"]
        ],
    )


@live_check("AWS-GUARDDUTY-001")
def guardduty(ctx: LiveContext) -> list[LiveVerdict]:
    found = detectors(ctx)
    if not found:
        return [failed(None, "GuardDuty is not enabled in this region")]
    return [
        verdict(d["DetectorId"], None if d.get("Status") == "ENABLED" else "detector disabled")
        for d in found
    ]


@live_check("AWS-GUARDDUTY-002")
def guardduty_containers(ctx: LiveContext) -> list[LiveVerdict]:
    result = []
    for detector in detectors(ctx):
        features = detector.get("Features")
        if features is None:
            result.append(unknown(detector["DetectorId"], "detector features are not reported"))
            continue
        enabled = {f["Name"] for f in features if f.get("Status") == "ENABLED"}
        missing = [
            f
            for f in ("EKS_AUDIT_LOGS", "RUNTIME_MONITORING")
            if f not in enabled
            and not (f == "RUNTIME_MONITORING" and "EKS_RUNTIME_MONITORING" in enabled)
        ]
        result.append(
            verdict(
                detector["DetectorId"], f"features off: {', '.join(missing)}" if missing else None
            )
        )
    return result


@live_check("AWS-CONFIG-001")
def config_recording(ctx: LiveContext) -> list[LiveVerdict]:
    config = ctx.clients.client("config")
    recorders = config.describe_configuration_recorders()["ConfigurationRecorders"]
    if not recorders:
        return [failed(None, "no AWS Config recorder")]
    statuses = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
    channels = config.describe_delivery_channels()["DeliveryChannels"]
    problems = []
    if not recorders[0].get("recordingGroup", {}).get("allSupported"):
        problems.append("does not record all supported resources")
    if not any(s.get("recording") for s in statuses):
        problems.append("not recording")
    if not channels:
        problems.append("no delivery channel")
    return [verdict(recorders[0]["name"], "; ".join(problems) or None)]


# -- snapshots -------------------------------------------------------------------------------------


@live_check("AWS-SNAP-001")
def snapshot_automation(ctx: LiveContext) -> list[LiveVerdict]:
    backup = ctx.clients.client("backup")
    plans = backup.list_backup_plans()["BackupPlansList"]
    selected = []
    gaps = []
    for plan in plans:
        try:
            if backup.list_backup_selections(BackupPlanId=plan["BackupPlanId"])[
                "BackupSelectionsList"
            ]:
                selected.append(plan["BackupPlanArn"])
        except botocore.exceptions.ClientError as error:
            if not is_api_gap(error):
                raise
            gaps.append("ListBackupSelections")
    try:
        policies = ctx.clients.client("dlm").get_lifecycle_policies(State="ENABLED")["Policies"]
    except botocore.exceptions.ClientError as error:
        if not is_api_gap(error):
            raise
        policies, gaps = [], [*gaps, "DLM GetLifecyclePolicies"]
    if selected or policies:
        return [passed(r, "snapshots automated") for r in selected] + [
            passed(p["PolicyId"], "DLM policy enabled") for p in policies
        ]
    if gaps:
        return [
            unknown(
                None,
                f"{', '.join(gaps)} not available on this target; no backup "
                "selection or DLM policy could be confirmed",
            )
        ]
    return [failed(None, "no backup plan with a selection and no enabled DLM policy")]


@live_check("AWS-SNAP-002")
def vaults_locked(ctx: LiveContext) -> list[LiveVerdict]:
    backup = ctx.clients.client("backup")
    found = []
    for vault in backup.list_backup_vaults()["BackupVaultList"]:
        if vault["BackupVaultName"] in ("Default", "aws/efs/automatic-backup-vault"):
            continue
        detail = backup.describe_backup_vault(BackupVaultName=vault["BackupVaultName"])
        found.append(
            verdict(
                vault["BackupVaultArn"],
                None if detail.get("Locked") or detail.get("MinRetentionDays") else "no Vault Lock",
            )
        )
    return found


# -- identity --------------------------------------------------------------------------------------


def policy_document(ctx: LiveContext, arn: str) -> dict[str, Any]:
    iam = ctx.clients.iam
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    version = iam.get_policy_version(PolicyArn=arn, VersionId=policy["DefaultVersionId"])
    document = version["PolicyVersion"]["Document"]
    return json.loads(unquote(document)) if isinstance(document, str) else dict(document)


def role_documents(ctx: LiveContext, role: str) -> list[dict[str, Any]]:
    iam = ctx.clients.iam
    documents = []
    for name in iam.list_role_policies(RoleName=role)["PolicyNames"]:
        document = iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]
        documents.append(
            json.loads(unquote(document)) if isinstance(document, str) else dict(document)
        )
    for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
        documents.append(policy_document(ctx, attached["PolicyArn"]))
    return documents


def _role_name(arn: str | None) -> str | None:
    return arn.split("/")[-1] if arn else None


@live_check("AWS-IAM-001", account_wide=True)
def quarantine_policy(ctx: LiveContext) -> list[LiveVerdict]:
    arn = ctx.prewired.quarantine_policy_arn
    if not arn:
        return [
            failed(None, "no quarantine policy published at /prewire/aws/quarantine-policy-arn")
        ]
    document = optional(policy_document, ctx=ctx, arn=arn)
    if document is None:
        return [failed(arn, "the published quarantine policy does not exist")]
    deny_all = any(
        s.get("Effect") == "Deny"
        and "*" in as_list(s.get("Action"))
        and "*" in as_list(s.get("Resource"))
        and not s.get("Condition")
        for s in statements(document)
    )
    return [verdict(arn, None if deny_all else "the quarantine policy is not a true deny-all")]


def break_glass(ctx: LiveContext) -> dict[str, Any] | None:
    name = _role_name(ctx.prewired.break_glass_role_arn) or ctx.once(
        "break-glass-name", lambda: _find_role(ctx, "break-glass")
    )
    if not name:
        return None
    found = optional(ctx.clients.iam.get_role, RoleName=name)
    return dict(found["Role"]) if found else None


def _find_role(ctx: LiveContext, fragment: str) -> str | None:
    for page in ctx.clients.iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if fragment in role["RoleName"].lower():
                return str(role["RoleName"])
    return None


@live_check("AWS-IAM-002", account_wide=True)
def break_glass_mfa(ctx: LiveContext) -> list[LiveVerdict]:
    role = break_glass(ctx)
    if role is None:
        return [failed(None, "no break-glass role")]
    trust = as_resource(
        "role",
        role["RoleName"],
        {
            "AssumeRolePolicy": json.dumps(
                role["AssumeRolePolicyDocument"]
                if isinstance(role["AssumeRolePolicyDocument"], dict)
                else json.loads(unquote(role["AssumeRolePolicyDocument"]))
            )
        },
    )
    return [verdict(role["Arn"], None if rules._requires_mfa(trust) else "assumable without MFA")]


@live_check("AWS-IAM-003", account_wide=True)
def break_glass_session(ctx: LiveContext) -> list[LiveVerdict]:
    role = break_glass(ctx)
    if role is None:
        return []
    seconds = int(role.get("MaxSessionDuration", 3600))
    return [verdict(role["Arn"], None if seconds <= 3600 else f"sessions last {seconds}s")]


@live_check("AWS-IAM-004")
def break_glass_alert(ctx: LiveContext) -> list[LiveVerdict]:
    role = break_glass(ctx)
    if role is None:
        return []
    events = ctx.clients.client("events")
    for page in events.get_paginator("list_rules").paginate():
        for rule in page["Rules"]:
            pattern = rule.get("EventPattern") or ""
            if (
                "AssumeRole" in pattern
                and role["Arn"] in pattern
                and rule.get("State") == "ENABLED"
            ):
                targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
                if targets:
                    return [passed(role["Arn"], f"alerted by {rule['Name']}")]
    return [failed(role["Arn"], "no enabled rule with a target alerts on its assumption")]


def responder_role(ctx: LiveContext) -> str | None:
    return _role_name(ctx.prewired.responder_role_arn) or ctx.once(
        "responder-name", lambda: _find_role(ctx, "responder")
    )


@live_check("AWS-IAM-005", account_wide=True)
def responder_scope(ctx: LiveContext) -> list[LiveVerdict]:
    role = responder_role(ctx)
    if not role:
        return [failed(None, "no responder role")]
    wild = sorted(
        {
            a
            for d in role_documents(ctx, role)
            for s in statements(d)
            if s.get("Effect") == "Allow"
            for a in as_list(s.get("Action"))
            if a == "*" or str(a).endswith(":*")
        }
    )
    return [verdict(role, f"wildcard permissions: {', '.join(wild)}" if wild else None)]


def _allows(documents: list[dict[str, Any]], action: str) -> bool:
    for document in documents:
        for statement in statements(document):
            if statement.get("Effect") != "Allow":
                continue
            for pattern in as_list(statement.get("Action")):
                regex = "^" + re.escape(str(pattern)).replace("\\*", ".*") + "$"
                if re.match(regex, action, re.IGNORECASE):
                    return True
    return False


@live_check("AWS-RESP-002", account_wide=True)
def responder_permissions(ctx: LiveContext) -> list[LiveVerdict]:
    role = responder_role(ctx)
    if not role:
        return [failed(None, "no responder role")]
    needed = sorted({p.action for p in required_permissions(Cloud.AWS)})
    arn = ctx.clients.iam.get_role(RoleName=role)["Role"]["Arn"]
    try:
        results = ctx.clients.iam.simulate_principal_policy(
            PolicySourceArn=arn, ActionNames=needed
        )["EvaluationResults"]
        denied = [r["EvalActionName"] for r in results if r["EvalDecision"] != "allowed"]
        method = "IAM policy simulation"
    except botocore.exceptions.ClientError as error:
        if not is_api_gap(error):
            raise
        documents = role_documents(ctx, role)
        denied = [a for a in needed if not _allows(documents, a)]
        method = "its attached and inline policies (policy simulation unavailable)"
    if denied:
        return [
            failed(
                arn,
                f"{len(denied)} declared action(s) not allowed by {method}: "
                f"{', '.join(denied[:8])}",
            )
        ]
    return [passed(arn, f"all {len(needed)} declared actions allowed by {method}")]


@live_check("AWS-RESP-003")
def ssm_reachable(ctx: LiveContext) -> list[LiveVerdict]:
    pages = ctx.clients.ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": "instance-state-name", "Values": ["running"]}]
    )
    instances = [
        i["InstanceId"] for page in pages for r in page["Reservations"] for i in r["Instances"]
    ]
    if not instances:
        return []
    online = {
        i["InstanceId"]
        for page in ctx.clients.ssm.get_paginator("describe_instance_information").paginate()
        for i in page["InstanceInformationList"]
        if i.get("PingStatus") == "Online"
    }
    return [verdict(i, None if i in online else "SSM agent not online") for i in instances]


@live_check("AWS-RESP-004", account_wide=True)
def memory_tool(ctx: LiveContext) -> list[LiveVerdict]:
    uri, pinned = ctx.prewired.memory_tool_uri, ctx.prewired.memory_tool_sha256
    if not uri or not pinned:
        return [failed(None, "no memory tool published (/prewire/aws/memory-tool/*)")]
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    head = optional(ctx.clients.s3.head_object, Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    if head is None:
        return [failed(uri, "the staged memory tool does not exist")]

    stored = head.get("ChecksumSHA256")
    if stored is None:
        return [unknown(uri, "the tool was uploaded without a SHA-256 checksum; cannot compare")]
    actual = base64.b64decode(stored).hex()
    return [
        verdict(
            uri,
            None
            if actual == pinned
            else f"tool SHA-256 {actual[:16]}… differs from the pinned hash",
        )
    ]


@live_check("AWS-RESP-005")
def forensic_key(ctx: LiveContext) -> list[LiveVerdict]:
    arn = ctx.prewired.kms_key_arn
    if not arn:
        return [failed(None, "no forensic key published at /prewire/aws/kms-key-arn")]
    kms = ctx.clients.client("kms")
    metadata = kms.describe_key(KeyId=arn)["KeyMetadata"]
    if metadata.get("KeyState") != "Enabled":
        return [failed(arn, f"key is {metadata.get('KeyState')}")]
    policy = json.loads(kms.get_key_policy(KeyId=arn, PolicyName="default")["Policy"])
    delegates = any(
        s.get("Effect") == "Allow"
        and str((s.get("Principal") or {}).get("AWS", "")).endswith(":root")
        for s in statements(policy)
    )
    return [verdict(arn, None if delegates else "key policy does not let IAM grant its use")]


# -- workloads -------------------------------------------------------------------------------------


def clusters(ctx: LiveContext) -> list[dict[str, Any]]:
    eks = ctx.clients.eks
    return ctx.once(
        "eks",
        lambda: [
            dict(eks.describe_cluster(name=n)["cluster"])
            for page in eks.get_paginator("list_clusters").paginate()
            for n in page["clusters"]
        ],
    )


@live_check("AWS-EKS-001")
def eks_logging(ctx: LiveContext) -> list[LiveVerdict]:
    result = []
    for cluster in clusters(ctx):
        enabled = [
            t
            for s in cluster.get("logging", {}).get("clusterLogging", [])
            if s.get("enabled")
            for t in s.get("types", [])
        ]
        problem = rules.eks_logging(
            as_resource("eks", cluster["name"], {"EnabledClusterLogTypes": enabled}),
            context_of(ctx),
        )
        result.append(verdict(cluster["arn"], problem if isinstance(problem, str) else None))
    return result


def log_groups(ctx: LiveContext) -> list[dict[str, Any]]:
    return ctx.once(
        "log-groups",
        lambda: [
            dict(g)
            for page in ctx.clients.logs.get_paginator("describe_log_groups").paginate()
            for g in page["logGroups"]
        ],
    )


@live_check("AWS-EKS-002")
def eks_retention(ctx: LiveContext) -> list[LiveVerdict]:
    groups = {g["logGroupName"]: g for g in log_groups(ctx)}
    result = []
    for cluster in clusters(ctx):
        group = groups.get(f"/aws/eks/{cluster['name']}/cluster")
        days = int((group or {}).get("retentionInDays") or 0)
        short = 0 < days < ctx.retention_days
        result.append(
            verdict(cluster["arn"], f"control-plane logs kept {days} days" if short else None)
        )
    return result


@live_check("AWS-EKS-003")
def eks_container_logs(ctx: LiveContext) -> list[LiveVerdict]:
    groups = {g["logGroupName"] for g in log_groups(ctx)}
    result = []
    for cluster in clusters(ctx):
        name = cluster["name"]
        # The log group proves shipping; only without it are the add-ons asked.
        shipped = f"/aws/containerinsights/{name}/application" in groups or (
            rules.LOG_SHIPPER_ADDON
            in ctx.clients.eks.list_addons(clusterName=name).get("addons", [])
        )
        result.append(
            verdict(cluster["arn"], None if shipped else "container logs stay on the nodes")
        )
    return result


@live_check("AWS-LOGS-001")
def log_retention(ctx: LiveContext) -> list[LiveVerdict]:
    return [
        verdict(
            g["arn"],
            problem
            if isinstance(
                problem := rules.log_retention(
                    as_resource(
                        "logs", g["logGroupName"], {"RetentionInDays": g.get("retentionInDays")}
                    ),
                    context_of(ctx),
                ),
                str,
            )
            else None,
        )
        for g in log_groups(ctx)
    ]


@live_check("AWS-LAMBDA-001")
def lambda_versions(ctx: LiveContext) -> list[LiveVerdict]:
    fn = ctx.clients.lambda_
    result = []
    for page in fn.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            versions = [
                v
                for p in fn.get_paginator("list_versions_by_function").paginate(
                    FunctionName=function["FunctionName"]
                )
                for v in p["Versions"]
                if v["Version"] != "$LATEST"
            ]
            result.append(
                verdict(
                    function["FunctionArn"],
                    None if versions else "only $LATEST exists: no published version",
                )
            )
    return result


@live_check("AWS-LAMBDA-002", account_wide=True)
def no_version_deletion(ctx: LiveContext) -> list[LiveVerdict]:
    automation = {
        "lambda.amazonaws.com",
        "events.amazonaws.com",
        "scheduler.amazonaws.com",
        "states.amazonaws.com",
    }
    result = []
    for page in ctx.clients.iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            document: Any = role["AssumeRolePolicyDocument"]
            trust = json.loads(unquote(document)) if isinstance(document, str) else dict(document)
            services = {
                str(s)
                for st in statements(trust)
                for s in as_list((st.get("Principal") or {}).get("Service"))
            }
            if not services & automation:
                continue
            deleting = _allows(role_documents(ctx, role["RoleName"]), "lambda:DeleteFunction")
            result.append(
                verdict(
                    role["Arn"],
                    "automation role may delete function versions" if deleting else None,
                )
            )
    return result


@live_check("AWS-ECS-001")
def ecs_exec(ctx: LiveContext) -> list[LiveVerdict]:
    ecs = ctx.clients.ecs
    arns = [
        a for page in ecs.get_paginator("list_clusters").paginate() for a in page["clusterArns"]
    ]
    if not arns:
        return []
    described = ecs.describe_clusters(clusters=arns[:100], include=["CONFIGURATIONS"])["clusters"]
    result = []
    for cluster in described:
        problem = rules.ecs_exec_logging(
            as_resource(
                "ecs", cluster["clusterName"], {"Configuration": cluster.get("configuration", {})}
            ),
            context_of(ctx),
        )
        result.append(verdict(cluster["clusterArn"], problem if isinstance(problem, str) else None))
    return result


@live_check("AWS-ECS-002")
def ecs_logs(ctx: LiveContext) -> list[LiveVerdict]:
    ecs = ctx.clients.ecs
    result = []
    families = [
        f
        for page in ecs.get_paginator("list_task_definition_families").paginate(status="ACTIVE")
        for f in page["families"]
    ]
    for family in families:
        definition = ecs.describe_task_definition(taskDefinition=family)["taskDefinition"]
        problem = rules.ecs_log_driver(
            as_resource(
                "task", family, {"ContainerDefinitions": definition.get("containerDefinitions", [])}
            ),
            context_of(ctx),
        )
        result.append(
            verdict(definition["taskDefinitionArn"], problem if isinstance(problem, str) else None)
        )
    return result


@live_check("AWS-SSM-001")
def session_logging(ctx: LiveContext) -> list[LiveVerdict]:
    found = optional(ctx.clients.ssm.get_document, Name=SESSION_PREFERENCES_DOCUMENT)
    if not found:
        return [failed(None, "no Session Manager preferences (SSM-SessionManagerRunShell)")]
    inputs = json.loads(found["Content"]).get("inputs", {})
    logged = inputs.get("cloudWatchLogGroupName") or inputs.get("s3BucketName")
    return [verdict(SESSION_PREFERENCES_DOCUMENT, None if logged else "sessions are not logged")]


@live_check("AWS-EBS-001")
def critical_volumes(ctx: LiveContext) -> list[LiveVerdict]:
    pages = ctx.clients.ec2.get_paginator("describe_instances").paginate(
        Filters=[{"Name": f"tag:{rules.CRITICAL_TAG}", "Values": ["true"]}]
    )
    result = []
    for page in pages:
        for reservation in page["Reservations"]:
            for instance in reservation["Instances"]:
                deleting = [
                    m["DeviceName"]
                    for m in instance.get("BlockDeviceMappings", [])
                    if m.get("Ebs", {}).get("DeleteOnTermination")
                ]
                result.append(
                    verdict(
                        instance["InstanceId"],
                        f"volumes deleted on termination: {', '.join(deleting)}"
                        if deleting
                        else None,
                    )
                )
    return result


@live_check("AWS-ASG-001")
def termination_hooks(ctx: LiveContext) -> list[LiveVerdict]:
    autoscaling = ctx.clients.autoscaling
    result = []
    for page in autoscaling.get_paginator("describe_auto_scaling_groups").paginate():
        for group in page["AutoScalingGroups"]:
            tags = {t["Key"]: t["Value"] for t in group.get("Tags", [])}
            if tags.get(rules.CRITICAL_TAG, "").lower() != "true":
                continue
            hooks = autoscaling.describe_lifecycle_hooks(
                AutoScalingGroupName=group["AutoScalingGroupName"]
            )["LifecycleHooks"]
            holding = [
                h
                for h in hooks
                if h["LifecycleTransition"] == "autoscaling:EC2_INSTANCE_TERMINATING"
            ]
            result.append(
                verdict(
                    group["AutoScalingGroupARN"],
                    None if holding else "no termination lifecycle hook",
                )
            )
    return result


@live_check("AWS-RESP-001")
def responder_wired(ctx: LiveContext) -> list[LiveVerdict]:
    events = ctx.clients.client("events")
    for page in events.get_paginator("list_rules").paginate():
        for rule in page["Rules"]:
            routes = '"aws.guardduty"' in (rule.get("EventPattern") or "")
            if (
                routes
                and rule.get("State") == "ENABLED"
                and events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
            ):
                return [passed(rule["Arn"], "GuardDuty findings reach a responder")]
    return [failed(None, "no enabled rule routes GuardDuty findings to a target")]
