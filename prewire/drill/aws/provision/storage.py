"""Keys, buckets and their settings, log groups, backup vaults and plans, and DLM policies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from prewire.drill.aws.provision.run import Handler, Run, resource_id, tag_list, tags_of
from prewire.render import Resource


def create_key(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    kms = run.client("kms")
    key = kms.create_key(
        Policy=i["policy"],
        Description=i.get("description", ""),
        Tags=tag_list(i, "TagKey", "TagValue"),
    )["KeyMetadata"]
    if i.get("enableKeyRotation"):
        kms.enable_key_rotation(KeyId=key["KeyId"])
    return {r.outputs["arn"]: key["Arn"], r.outputs["keyId"]: key["KeyId"]}


def create_alias(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("kms").create_alias(AliasName=i["name"], TargetKeyId=i["targetKeyId"])
    return {}


def create_bucket(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    s3 = run.client("s3")
    params: dict[str, Any] = {
        "Bucket": resource_id(r),
        "ObjectLockEnabledForBucket": bool(i.get("objectLockEnabled")),
    }
    if run.clients.region != "us-east-1":
        params["CreateBucketConfiguration"] = {"LocationConstraint": run.clients.region}
    s3.create_bucket(**params)
    if tags_of(i):
        s3.put_bucket_tagging(Bucket=resource_id(r), Tagging={"TagSet": tag_list(i)})
    return {}


def s3_call(method: str, build: Callable[[dict[str, Any]], dict[str, Any]]) -> Handler:
    def handler(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
        getattr(run.client("s3"), method)(Bucket=i["bucket"], **build(i))
        return {}

    return handler


def lock_rule(i: dict[str, Any]) -> dict[str, Any]:
    retention = i["rule"]["defaultRetention"]
    return {
        "ObjectLockConfiguration": {
            "ObjectLockEnabled": "Enabled",
            "Rule": {
                "DefaultRetention": {"Mode": retention["mode"], "Days": int(retention["days"])}
            },
        }
    }


def encryption_rule(i: dict[str, Any]) -> dict[str, Any]:
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


def create_log_group(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    logs = run.client("logs")
    params: dict[str, Any] = {"logGroupName": i["name"], "tags": tags_of(i)}
    if i.get("kmsKeyId"):
        params["kmsKeyId"] = i["kmsKeyId"]
    logs.create_log_group(**params)
    if i.get("retentionInDays"):
        logs.put_retention_policy(logGroupName=i["name"], retentionInDays=int(i["retentionInDays"]))
    return {}


def create_vault(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("backup").create_backup_vault(
        BackupVaultName=r.outputs["name"],
        EncryptionKeyArn=i["kmsKeyArn"],
        BackupVaultTags=tags_of(i),
    )
    return {}


def create_vault_lock(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("backup").put_backup_vault_lock_configuration(
        BackupVaultName=i["backupVaultName"],
        MinRetentionDays=int(i["minRetentionDays"]),
        ChangeableForDays=int(i["changeableForDays"]),
    )
    return {}


def create_plan(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
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
        BackupPlan={"BackupPlanName": r.outputs["name"], "Rules": rules}, BackupPlanTags=tags_of(i)
    )
    return {resource_id(r): created["BackupPlanId"]}


def create_selection(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
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


def lifecycle_rules(i: dict[str, Any]) -> dict[str, Any]:
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


def create_dlm_policy(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
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
        Tags=tags_of(i),
    )
    return {resource_id(r): created["PolicyId"]}
