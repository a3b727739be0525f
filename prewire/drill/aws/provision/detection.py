"""GuardDuty detectors and features, the AWS Config recorder, and the topics, rules, targets
and queues findings travel through."""

from __future__ import annotations

from typing import Any

from prewire.drill.aws.provision.run import Run, resource_id, tag_list, tags_of
from prewire.render import Resource


def create_detector(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    created = run.client("guardduty").create_detector(
        Enable=bool(i["enable"]),
        FindingPublishingFrequency=i["findingPublishingFrequency"],
        Tags=tags_of(i),
    )
    return {resource_id(r): created["DetectorId"]}


def create_detector_feature(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    feature: dict[str, Any] = {"Name": i["name"], "Status": i["status"]}
    if i.get("additionalConfigurations"):
        feature["AdditionalConfiguration"] = [
            {"Name": c["name"], "Status": c["status"]} for c in i["additionalConfigurations"]
        ]
    run.client("guardduty").update_detector(DetectorId=i["detectorId"], Features=[feature])
    return {}


def create_recorder(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
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


def create_delivery_channel(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
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


def create_recorder_status(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    if i.get("isEnabled"):
        run.client("config").start_configuration_recorder(ConfigurationRecorderName=i["name"])
    return {}


def create_topic(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    attributes = {"KmsMasterKeyId": i["kmsMasterKeyId"]} if i.get("kmsMasterKeyId") else {}
    created = run.client("sns").create_topic(
        Name=r.outputs["name"], Attributes=attributes, Tags=tag_list(i)
    )
    return {r.outputs["arn"]: created["TopicArn"]}


def create_topic_policy(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("sns").set_topic_attributes(
        TopicArn=i["arn"], AttributeName="Policy", AttributeValue=i["policy"]
    )
    return {}


def create_subscription(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("sns").subscribe(TopicArn=i["topic"], Protocol=i["protocol"], Endpoint=i["endpoint"])
    return {}


def create_rule(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    created = run.client("events").put_rule(
        Name=r.outputs["name"],
        EventPattern=i["eventPattern"],
        Description=i.get("description", ""),
        State="ENABLED",
        Tags=tag_list(i),
    )
    return {r.outputs["arn"]: created["RuleArn"]}


def create_target(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
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


def create_queue(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    attributes = {"MessageRetentionPeriod": str(int(i.get("messageRetentionSeconds", 345600)))}
    if i.get("kmsMasterKeyId"):
        attributes["KmsMasterKeyId"] = i["kmsMasterKeyId"]
    sqs = run.client("sqs")
    url = sqs.create_queue(QueueName=r.outputs["name"], Attributes=attributes, tags=tags_of(i))[
        "QueueUrl"
    ]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    return {r.outputs["url"]: url, r.outputs["arn"]: arn}


def create_queue_policy(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
    run.client("sqs").set_queue_attributes(
        QueueUrl=i["queueUrl"], Attributes={"Policy": i["policy"]}
    )
    return {}
