"""GuardDuty findings in the format EventBridge delivers them, for the drill's detection step."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

ACCOUNT = "123456789012"


def event(detail: dict[str, Any]) -> dict[str, Any]:
    """The EventBridge envelope around a finding (`put_events` entry fields).

    Only the embedded emulator accepts `aws.*` sources from PutEvents; AWS reserves them.
    """
    return {"Source": "aws.guardduty", "DetailType": "GuardDuty Finding", "Detail": detail}


def delivered(detail: dict[str, Any], when: datetime) -> dict[str, Any]:
    """The event as EventBridge delivers it to a rule's targets (what TestEventPattern takes)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "GuardDuty Finding",
        "source": "aws.guardduty",
        "account": detail["accountId"],
        "time": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": detail["region"],
        "resources": [],
        "detail": detail,
    }


def finding(
    kind: str,
    severity: float,
    resource: dict[str, Any],
    region: str,
    when: datetime,
    account: str = ACCOUNT,
) -> dict[str, Any]:
    finding_id = uuid.uuid4().hex
    stamp = when.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return {
        "schemaVersion": "2.0",
        "accountId": account,
        "region": region,
        "partition": "aws",
        "id": finding_id,
        "arn": f"arn:aws:guardduty:{region}:{account}:detector/drill/finding/{finding_id}",
        "type": kind,
        "resource": resource,
        "service": {
            "serviceName": "guardduty",
            "detectorId": "drill",
            "archived": False,
            "count": 1,
            "eventFirstSeen": stamp,
            "eventLastSeen": stamp,
            # The sample marker sends the drill's evidence under `drills/`, apart from real cases.
            "additionalInfo": {"sample": True, "value": '{"drill":true}'},
        },
        "severity": severity,
        "createdAt": stamp,
        "updatedAt": stamp,
        "title": f"prewire drill: {kind}",
        "description": "Injected by prewire drill to exercise the prewired response.",
    }


def instance_resource(instance_id: str, vpc_id: str, subnet_id: str) -> dict[str, Any]:
    return {
        "resourceType": "Instance",
        "instanceDetails": {
            "instanceId": instance_id,
            "instanceType": "t3.small",
            "platform": "Linux",
            "networkInterfaces": [{"vpcId": vpc_id, "subnetId": subnet_id}],
        },
    }


def access_key_resource(user: str, key_id: str) -> dict[str, Any]:
    return {
        "resourceType": "AccessKey",
        "accessKeyDetails": {
            "accessKeyId": key_id,
            "principalId": "AIDADRILL",
            "userName": user,
            "userType": "IAMUser",
        },
    }


def lambda_resource(function: str, function_arn: str) -> dict[str, Any]:
    return {
        "resourceType": "Lambda",
        "lambdaDetails": {
            "functionName": function,
            "functionArn": function_arn,
            "functionVersion": "$LATEST",
        },
    }


def eks_resource(cluster: str, node: str) -> dict[str, Any]:
    return {
        "resourceType": "EKSCluster",
        "eksClusterDetails": {"name": cluster},
        "instanceDetails": {"instanceId": node},
    }


def ecs_resource(cluster_arn: str, task: dict[str, Any]) -> dict[str, Any]:
    """GuardDuty Runtime Monitoring's resource for a Fargate task (EcsClusterDetails)."""
    return {
        "resourceType": "ECSCluster",
        "ecsClusterDetails": {
            "name": cluster_arn.rsplit("/", 1)[-1],
            "arn": cluster_arn,
            "status": "ACTIVE",
            "taskDetails": {
                "arn": task["taskArn"],
                "definitionArn": task["taskDefinitionArn"],
                "version": str(task.get("version", 1)),
                "startedBy": task.get("startedBy", ""),
                "group": task.get("group", ""),
                "launchType": task.get("launchType", "FARGATE"),
                "containers": [
                    {"name": c.get("name"), "image": c.get("image")}
                    for c in task.get("containers", [])
                ],
            },
        },
    }
