"""CloudTrail trails and their event selectors."""

from __future__ import annotations

from typing import Any

from prewire.drill.aws.provision.run import Run, tag_list
from prewire.render import Resource


def create_trail(run: Run, r: Resource, i: dict[str, Any]) -> dict[str, str]:
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
        TagsList=tag_list(i),
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
