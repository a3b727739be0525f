"""Provision a rendered stack into an AWS endpoint through the cloud APIs (the emulator path).

The kit's stack is rendered offline (Pulumi mocks) and each resource is created with the API
call Pulumi's provider would make. Ids the service assigns (security groups, keys, detectors)
replace the rendered placeholders in every later input, so references between resources hold.
Only the resource types the kit's stack uses are handled; any other type, or one the target
does not implement, is listed in `Provisioned.not_created` with the reason, never skipped
silently. `pulumi up` is how real accounts are provisioned.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.exceptions

from prewire.core import tokens as t
from prewire.render import Graph, Resource
from responders.aws.session import AwsClients, error_code, is_api_gap

Handler = Callable[["_Run", Resource, dict[str, Any]], dict[str, str]]
"""Creates one resource from its (substituted) inputs; returns rendered value -> real value."""


@dataclass
class Provisioned:
    created: list[str] = field(default_factory=list)
    not_created: dict[str, str] = field(default_factory=dict)
    replacements: dict[str, str] = field(default_factory=dict)

    def real(self, rendered: str) -> str:
        return self.replacements.get(rendered, rendered)


def _id(resource: Resource) -> str:
    if resource.id is None:
        raise ValueError(f"{resource.label} has no rendered id")
    return resource.id


def _tags(inputs: dict[str, Any]) -> dict[str, str]:
    return dict(inputs.get("tags") or {})


def _tag_list(
    inputs: dict[str, Any], key: str = "Key", value: str = "Value"
) -> list[dict[str, str]]:
    return [{key: k, value: v} for k, v in _tags(inputs).items()]


@dataclass
class _Run:
    clients: AwsClients
    result: Provisioned

    def client(self, service: str) -> Any:
        """Untyped on purpose: this module translates rendered inputs into API parameters."""
        return self.clients.client(service)

    def substitute(self, value: Any) -> Any:
        if isinstance(value, str):
            for rendered, real in self.result.replacements.items():
                if rendered in value:
                    value = value.replace(rendered, real)
            return value
        if isinstance(value, dict):
            return {k: self.substitute(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.substitute(v) for v in value]
        return value


# -- handlers, one per resource type ------------------------------------------------------------


def _key(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    kms = run.client("kms")
    key = kms.create_key(
        Policy=i["policy"],
        Description=i.get("description", ""),
        Tags=_tag_list(i, "TagKey", "TagValue"),
    )["KeyMetadata"]
    if i.get("enableKeyRotation"):
        kms.enable_key_rotation(KeyId=key["KeyId"])
    return {r.outputs["arn"]: key["Arn"], r.outputs["keyId"]: key["KeyId"]}


def _alias(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("kms").create_alias(AliasName=i["name"], TargetKeyId=i["targetKeyId"])
    return {}


def _bucket(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    s3 = run.client("s3")
    params: dict[str, Any] = {
        "Bucket": _id(r),
        "ObjectLockEnabledForBucket": bool(i.get("objectLockEnabled")),
    }
    if run.clients.region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": run.clients.region}
    s3.create_bucket(**params)
    if _tags(i):
        s3.put_bucket_tagging(Bucket=_id(r), Tagging={"TagSet": _tag_list(i)})
    return {}


def _s3_call(method: str, build: Callable[[dict[str, Any]], dict[str, Any]]) -> Handler:
    def handler(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
        getattr(run.client("s3"), method)(Bucket=i["bucket"], **build(i))
        return {}

    return handler


def _lock_rule(i: dict[str, Any]) -> dict[str, Any]:
    retention = i["rule"]["defaultRetention"]
    return {
        "ObjectLockConfiguration": {
            "ObjectLockEnabled": "Enabled",
            "Rule": {
                "DefaultRetention": {"Mode": retention["mode"], "Days": int(retention["days"])}
            },
        }
    }


def _encryption(i: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in i["rules"]:
        default = rule["applyServerSideEncryptionByDefault"]
        sse: dict[str, Any] = {"SSEAlgorithm": default["sseAlgorithm"]}
        if default.get("kmsMasterKeyId"):
            sse["KMSMasterKeyID"] = default["kmsMasterKeyId"]
        rules.append(
            {
                "ApplyServerSideEncryptionByDefault": sse,
                "BucketKeyEnabled": bool(rule.get("bucketKeyEnabled")),
            }
        )
    return {"ServerSideEncryptionConfiguration": {"Rules": rules}}


def _log_group(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    logs = run.client("logs")
    params: dict[str, Any] = {"logGroupName": i["name"], "tags": _tags(i)}
    if i.get("kmsKeyId"):
        params["kmsKeyId"] = i["kmsKeyId"]
    logs.create_log_group(**params)
    if i.get("retentionInDays"):
        logs.put_retention_policy(logGroupName=i["name"], retentionInDays=int(i["retentionInDays"]))
    return {}


def _role(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    name = i.get("name") or r.outputs["name"]
    role = run.client("iam").create_role(
        RoleName=name,
        AssumeRolePolicyDocument=i["assumeRolePolicy"],
        Description=i.get("description", ""),
        MaxSessionDuration=int(i.get("maxSessionDuration", 3600)),
        Tags=_tag_list(i),
    )["Role"]
    return {r.outputs["arn"]: role["Arn"]}


def _role_policy(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("iam").put_role_policy(
        RoleName=i["role"], PolicyName=r.name, PolicyDocument=i["policy"]
    )
    return {}


def _attachment(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("iam").attach_role_policy(RoleName=i["role"], PolicyArn=i["policyArn"])
    return {}


def _policy(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    name = i.get("name") or r.outputs["name"]
    policy = run.client("iam").create_policy(
        PolicyName=name,
        PolicyDocument=i["policy"],
        Description=i.get("description", ""),
        Tags=_tag_list(i),
    )
    return {r.outputs["arn"]: policy["Policy"]["Arn"]}


def _trail(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    trail = run.client("cloudtrail")
    created = trail.create_trail(
        Name=i["name"],
        S3BucketName=i["s3BucketName"],
        IsMultiRegionTrail=i["isMultiRegionTrail"],
        IncludeGlobalServiceEvents=i["includeGlobalServiceEvents"],
        EnableLogFileValidation=i["enableLogFileValidation"],
        KmsKeyId=i["kmsKeyId"],
        CloudWatchLogsLogGroupArn=i["cloudWatchLogsGroupArn"],
        CloudWatchLogsRoleArn=i["cloudWatchLogsRoleArn"],
        TagsList=_tag_list(i),
    )
    selectors = [
        {"Name": s["name"], "FieldSelectors": [_field_selector(f) for f in s["fieldSelectors"]]}
        for s in i.get("advancedEventSelectors", [])
    ]
    if selectors:
        trail.put_event_selectors(TrailName=i["name"], AdvancedEventSelectors=selectors)
    if i.get("enableLogging", True):
        trail.start_logging(Name=i["name"])
    return {r.outputs["arn"]: created["TrailARN"]}


def _field_selector(selector: dict[str, Any]) -> dict[str, Any]:
    names = {
        "field": "Field",
        "equals": "Equals",
        "startsWiths": "StartsWith",
        "notEquals": "NotEquals",
        "endsWiths": "EndsWith",
    }
    return {names[k]: v for k, v in selector.items() if k in names}


def _flow_log(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    created = run.client("ec2").create_flow_logs(
        ResourceIds=[i["vpcId"]],
        ResourceType="VPC",
        TrafficType=i["trafficType"],
        LogDestinationType=i["logDestinationType"],
        LogDestination=i["logDestination"],
        LogFormat=i["logFormat"],
        MaxAggregationInterval=int(i.get("maxAggregationInterval", 600)),
    )
    if created.get("Unsuccessful"):
        raise RuntimeError(created["Unsuccessful"][0]["Error"]["Message"])
    return {_id(r): created["FlowLogIds"][0]}


def _permissions(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    permissions = []
    for rule in rules:
        permission: dict[str, Any] = {
            "IpProtocol": str(rule["protocol"]),
            "FromPort": int(rule.get("fromPort", 0)),
            "ToPort": int(rule.get("toPort", 0)),
        }
        if rule.get("cidrBlocks"):
            permission["IpRanges"] = [{"CidrIp": c} for c in rule["cidrBlocks"]]
        if rule.get("ipv6CidrBlocks"):
            permission["Ipv6Ranges"] = [{"CidrIpv6": c} for c in rule["ipv6CidrBlocks"]]
        if rule.get("securityGroups"):
            permission["UserIdGroupPairs"] = [{"GroupId": g} for g in rule["securityGroups"]]
        permissions.append(permission)
    return permissions


def _security_group(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    ec2 = run.client("ec2")
    group = ec2.create_security_group(
        GroupName=r.name,
        Description=i.get("description", r.name),
        VpcId=i["vpcId"],
        TagSpecifications=[{"ResourceType": "security-group", "Tags": _tag_list(i)}],
    )["GroupId"]
    # Like the Terraform provider: the default allow-all egress rule is removed.
    ec2.revoke_security_group_egress(
        GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    if i.get("ingress"):
        ec2.authorize_security_group_ingress(
            GroupId=group, IpPermissions=_permissions(i["ingress"])
        )
    if i.get("egress"):
        ec2.authorize_security_group_egress(GroupId=group, IpPermissions=_permissions(i["egress"]))
    return {_id(r): group}


def _ingress_rule(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("ec2").authorize_security_group_ingress(
        GroupId=i["securityGroupId"],
        IpPermissions=[
            {
                "IpProtocol": i["ipProtocol"],
                "FromPort": int(i["fromPort"]),
                "ToPort": int(i["toPort"]),
                "UserIdGroupPairs": [{"GroupId": i["referencedSecurityGroupId"]}],
            }
        ],
    )
    return {}


def _detector(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    created = run.client("guardduty").create_detector(
        Enable=bool(i["enable"]),
        FindingPublishingFrequency=i["findingPublishingFrequency"],
        Tags=_tags(i),
    )
    return {_id(r): created["DetectorId"]}


def _detector_feature(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    feature: dict[str, Any] = {"Name": i["name"], "Status": i["status"]}
    if i.get("additionalConfigurations"):
        feature["AdditionalConfiguration"] = [
            {"Name": c["name"], "Status": c["status"]} for c in i["additionalConfigurations"]
        ]
    run.client("guardduty").update_detector(DetectorId=i["detectorId"], Features=[feature])
    return {}


def _recorder(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    group = i["recordingGroup"]
    run.client("config").put_configuration_recorder(
        ConfigurationRecorder={
            "name": r.outputs["name"],
            "roleARN": i["roleArn"],
            "recordingGroup": {
                "allSupported": group["allSupported"],
                "includeGlobalResourceTypes": group["includeGlobalResourceTypes"],
            },
        }
    )
    return {}


def _delivery_channel(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("config").put_delivery_channel(
        DeliveryChannel={
            "name": r.outputs["name"],
            "s3BucketName": i["s3BucketName"],
            "s3KeyPrefix": i["s3KeyPrefix"],
            "s3KmsKeyArn": i["s3KmsKeyArn"],
            "configSnapshotDeliveryProperties": {
                "deliveryFrequency": i["snapshotDeliveryProperties"]["deliveryFrequency"]
            },
        }
    )
    return {}


def _recorder_status(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    if i.get("isEnabled"):
        run.client("config").start_configuration_recorder(ConfigurationRecorderName=i["name"])
    return {}


def _vault(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("backup").create_backup_vault(
        BackupVaultName=r.outputs["name"], EncryptionKeyArn=i["kmsKeyArn"], BackupVaultTags=_tags(i)
    )
    return {}


def _vault_lock(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("backup").put_backup_vault_lock_configuration(
        BackupVaultName=i["backupVaultName"],
        MinRetentionDays=int(i["minRetentionDays"]),
        ChangeableForDays=int(i["changeableForDays"]),
    )
    return {}


def _plan(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    rules = [
        {
            "RuleName": rule["ruleName"],
            "TargetBackupVaultName": rule["targetVaultName"],
            "ScheduleExpression": rule["schedule"],
            "Lifecycle": {"DeleteAfterDays": int(rule["lifecycle"]["deleteAfter"])},
            "RecoveryPointTags": rule.get("recoveryPointTags", {}),
        }
        for rule in i["rules"]
    ]
    created = run.client("backup").create_backup_plan(
        BackupPlan={"BackupPlanName": r.outputs["name"], "Rules": rules}, BackupPlanTags=_tags(i)
    )
    return {_id(r): created["BackupPlanId"]}


def _selection(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("backup").create_backup_selection(
        BackupPlanId=i["planId"],
        BackupSelection={
            "SelectionName": i["name"],
            "IamRoleArn": i["iamRoleArn"],
            "ListOfTags": [
                {"ConditionType": s["type"], "ConditionKey": s["key"], "ConditionValue": s["value"]}
                for s in i["selectionTags"]
            ],
        },
    )
    return {}


def _topic(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    attributes = {"KmsMasterKeyId": i["kmsMasterKeyId"]} if i.get("kmsMasterKeyId") else {}
    created = run.client("sns").create_topic(
        Name=r.outputs["name"], Attributes=attributes, Tags=_tag_list(i)
    )
    return {r.outputs["arn"]: created["TopicArn"]}


def _topic_policy(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("sns").set_topic_attributes(
        TopicArn=i["arn"], AttributeName="Policy", AttributeValue=i["policy"]
    )
    return {}


def _subscription(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("sns").subscribe(TopicArn=i["topic"], Protocol=i["protocol"], Endpoint=i["endpoint"])
    return {}


def _rule(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    created = run.client("events").put_rule(
        Name=r.outputs["name"],
        EventPattern=i["eventPattern"],
        Description=i.get("description", ""),
        State="ENABLED",
        Tags=_tag_list(i),
    )
    return {r.outputs["arn"]: created["RuleArn"]}


def _target(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    target: dict[str, Any] = {"Id": r.name[-64:], "Arn": i["arn"]}
    if i.get("deadLetterConfig"):
        target["DeadLetterConfig"] = {"Arn": i["deadLetterConfig"]["arn"]}
    if i.get("retryPolicy"):
        target["RetryPolicy"] = {
            "MaximumRetryAttempts": int(i["retryPolicy"]["maximumRetryAttempts"]),
            "MaximumEventAgeInSeconds": int(i["retryPolicy"]["maximumEventAgeInSeconds"]),
        }
    run.client("events").put_targets(Rule=i["rule"], Targets=[target])
    return {}


def _queue(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    attributes = {"MessageRetentionPeriod": str(int(i.get("messageRetentionSeconds", 345600)))}
    if i.get("kmsMasterKeyId"):
        attributes["KmsMasterKeyId"] = i["kmsMasterKeyId"]
    sqs = run.client("sqs")
    url = sqs.create_queue(QueueName=r.outputs["name"], Attributes=attributes, tags=_tags(i))[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return {r.outputs["url"]: url, r.outputs["arn"]: arn}


def _queue_policy(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("sqs").set_queue_attributes(
        QueueUrl=i["queueUrl"], Attributes={"Policy": i["policy"]}
    )
    return {}


def _lifecycle(i: dict[str, Any]) -> dict[str, Any]:
    rules = []
    for rule in i["rules"]:
        converted: dict[str, Any] = {
            "ID": rule["id"],
            "Status": rule["status"],
            "Filter": {"Prefix": (rule.get("filter") or {}).get("prefix", "")},
        }
        if rule.get("expiration"):
            converted["Expiration"] = {"Days": int(rule["expiration"]["days"])}
        if rule.get("noncurrentVersionExpiration"):
            converted["NoncurrentVersionExpiration"] = {
                "NoncurrentDays": int(rule["noncurrentVersionExpiration"]["noncurrentDays"])
            }
        if rule.get("abortIncompleteMultipartUpload"):
            converted["AbortIncompleteMultipartUpload"] = {
                "DaysAfterInitiation": int(
                    rule["abortIncompleteMultipartUpload"]["daysAfterInitiation"]
                )
            }
        rules.append(converted)
    return {"LifecycleConfiguration": {"Rules": rules}}


def _zip_archive(archive: dict[str, Any]) -> bytes:
    """Build the zip Pulumi would upload for an AssetArchive of folders."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for prefix, member in archive["$archive"].items():
            root = Path(member["$path"])
            for path in sorted(root.rglob("*.py")):
                zipped.write(path, f"{prefix}/{path.relative_to(root)}")
    return buffer.getvalue()


def _function(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    params: dict[str, Any] = {
        "FunctionName": r.outputs["name"],
        "Runtime": i["runtime"],
        "Role": i["role"],
        "Handler": i["handler"],
        "Code": {"ZipFile": _zip_archive(i["code"])},
        "Timeout": int(i.get("timeout", 3)),
        "MemorySize": int(i.get("memorySize", 128)),
        "Environment": {"Variables": i.get("environment", {}).get("variables", {})},
        "Tags": _tags(i),
        "Description": i.get("description", ""),
        "Publish": bool(i.get("publish")),
    }
    if i.get("deadLetterConfig"):
        params["DeadLetterConfig"] = {"TargetArn": i["deadLetterConfig"]["targetArn"]}
    created = run.client("lambda").create_function(**params)
    if i.get("reservedConcurrentExecutions") is not None:
        run.client("lambda").put_function_concurrency(
            FunctionName=r.outputs["name"],
            ReservedConcurrentExecutions=int(i["reservedConcurrentExecutions"]),
        )
    return {r.outputs["arn"]: created["FunctionArn"]}


def _lambda_permission(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("lambda").add_permission(
        FunctionName=i["function"],
        StatementId=r.name,
        Action=i["action"],
        Principal=i["principal"],
        SourceArn=i["sourceArn"],
    )
    return {}


def _dlm_policy(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    details = i["policyDetails"]
    schedules = [
        {
            "Name": s["name"],
            "CopyTags": bool(s.get("copyTags")),
            "CreateRule": {
                "Interval": int(s["createRule"]["interval"]),
                "IntervalUnit": s["createRule"]["intervalUnit"],
            },
            "RetainRule": {
                "Interval": int(s["retainRule"]["interval"]),
                "IntervalUnit": s["retainRule"]["intervalUnit"],
            },
            "TagsToAdd": [{"Key": k, "Value": v} for k, v in s.get("tagsToAdd", {}).items()],
        }
        for s in details["schedules"]
    ]
    created = run.client("dlm").create_lifecycle_policy(
        ExecutionRoleArn=i["executionRoleArn"],
        Description=i["description"],
        State=i["state"],
        PolicyDetails={
            "ResourceTypes": details["resourceTypes"],
            "Schedules": schedules,
            "TargetTags": [{"Key": k, "Value": v} for k, v in details["targetTags"].items()],
        },
        Tags=_tags(i),
    )
    return {_id(r): created["PolicyId"]}


def _parameter(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("ssm").put_parameter(
        Name=i["name"],
        Value=i["value"],
        Type=i["type"],
        Description=i.get("description", ""),
        Tags=_tag_list(i),
    )
    return {}


def _document(run: _Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("ssm").create_document(
        Name=i["name"],
        Content=i["content"],
        DocumentType=i["documentType"],
        DocumentFormat=i["documentFormat"],
        Tags=_tag_list(i),
    )
    return {}


HANDLERS: dict[str, Handler] = {
    t.KMS_KEY: _key,
    t.KMS_ALIAS: _alias,
    t.S3_BUCKET: _bucket,
    t.S3_VERSIONING: _s3_call(
        "put_bucket_versioning",
        lambda i: {"VersioningConfiguration": {"Status": i["versioningConfiguration"]["status"]}},
    ),
    t.S3_OBJECT_LOCK: _s3_call("put_object_lock_configuration", _lock_rule),
    t.S3_ENCRYPTION: _s3_call("put_bucket_encryption", _encryption),
    t.S3_PUBLIC_ACCESS_BLOCK: _s3_call(
        "put_public_access_block",
        lambda i: {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": i["blockPublicAcls"],
                "BlockPublicPolicy": i["blockPublicPolicy"],
                "IgnorePublicAcls": i["ignorePublicAcls"],
                "RestrictPublicBuckets": i["restrictPublicBuckets"],
            }
        },
    ),
    t.S3_OWNERSHIP: _s3_call(
        "put_bucket_ownership_controls",
        lambda i: {
            "OwnershipControls": {"Rules": [{"ObjectOwnership": i["rule"]["objectOwnership"]}]}
        },
    ),
    t.S3_LOGGING: _s3_call(
        "put_bucket_logging",
        lambda i: {
            "BucketLoggingStatus": {
                "LoggingEnabled": {
                    "TargetBucket": i["targetBucket"],
                    "TargetPrefix": i["targetPrefix"],
                }
            }
        },
    ),
    t.S3_POLICY: _s3_call("put_bucket_policy", lambda i: {"Policy": i["policy"]}),
    t.S3_LIFECYCLE: _s3_call("put_bucket_lifecycle_configuration", _lifecycle),
    t.LOG_GROUP: _log_group,
    t.IAM_ROLE: _role,
    t.IAM_ROLE_POLICY: _role_policy,
    t.IAM_ROLE_POLICY_ATTACHMENT: _attachment,
    t.IAM_POLICY: _policy,
    t.CLOUDTRAIL: _trail,
    t.FLOW_LOG: _flow_log,
    t.SECURITY_GROUP: _security_group,
    t.SG_INGRESS_RULE: _ingress_rule,
    t.GUARDDUTY_DETECTOR: _detector,
    t.GUARDDUTY_FEATURE: _detector_feature,
    t.CONFIG_RECORDER: _recorder,
    t.CONFIG_DELIVERY_CHANNEL: _delivery_channel,
    t.CONFIG_RECORDER_STATUS: _recorder_status,
    t.BACKUP_VAULT: _vault,
    t.BACKUP_VAULT_LOCK: _vault_lock,
    t.BACKUP_PLAN: _plan,
    t.BACKUP_SELECTION: _selection,
    t.SNS_TOPIC: _topic,
    t.SNS_TOPIC_POLICY: _topic_policy,
    t.SNS_SUBSCRIPTION: _subscription,
    t.EVENT_RULE: _rule,
    t.EVENT_TARGET: _target,
    t.SQS_QUEUE: _queue,
    t.SQS_QUEUE_POLICY: _queue_policy,
    t.LAMBDA_FUNCTION: _function,
    t.LAMBDA_PERMISSION: _lambda_permission,
    t.DLM_POLICY: _dlm_policy,
    t.SSM_PARAMETER: _parameter,
    t.SSM_DOCUMENT: _document,
}


def provision(
    graph: Graph, clients: AwsClients, *, known: Mapping[str, str] | None = None
) -> Provisioned:
    """Create every custom resource of `graph` in order; report what could not be created.

    `known` maps values the graph was rendered with to real ones (e.g. a placeholder VPC id).
    """
    run = _Run(clients, Provisioned(replacements=dict(known or {})))
    failed_urns: set[str] = set()
    for resource in graph:
        if not resource.custom:
            continue
        handler = HANDLERS.get(resource.type)
        if handler is None:
            run.result.not_created[resource.label] = "resource type not provisioned on the emulator"
            continue
        blocked = [u for u in resource.dependencies if u in failed_urns]
        if blocked:
            run.result.not_created[resource.label] = (
                f"depends on {blocked[0].split('::')[-1]}, not created"
            )
            failed_urns.add(resource.urn)
            continue
        try:
            replacements = handler(run, resource, run.substitute(dict(resource.inputs)))
        except botocore.exceptions.ClientError as error:
            reason = (
                "not implemented by the target"
                if is_api_gap(error)
                else f"{error_code(error)}: {error.response.get('Error', {}).get('Message', '')}"
            )
            run.result.not_created[resource.label] = reason.strip()
            failed_urns.add(resource.urn)
            continue
        except (KeyError, ValueError, RuntimeError) as error:
            run.result.not_created[resource.label] = f"{type(error).__name__}: {error}"
            failed_urns.add(resource.urn)
            continue
        run.result.replacements.update({k: v for k, v in replacements.items() if k and k != v})
        run.result.created.append(resource.label)
    return run.result


def summary(result: Provisioned) -> dict[str, Any]:
    return {"created": len(result.created), "not_created": result.not_created}


def dumps(result: Provisioned) -> str:
    return json.dumps(summary(result), indent=2)
