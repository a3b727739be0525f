"""CloudTrail trails and CloudWatch Logs retention, as deployed."""

from __future__ import annotations

from typing import Any

from policies.live.aws.common import as_resource, context_of
from policies.live.aws.containers import log_groups
from policies.live.aws.context import AwsLiveContext
from policies.live.engine import LiveVerdict, failed, live_check, passed, verdict
from policies.static.aws import common as common_rules
from policies.static.aws import trail as trail_rules
from prewire.core.graph import Resource


def trails(ctx: AwsLiveContext) -> list[dict[str, Any]]:
    return ctx.once(
        "trails",
        lambda: [
            dict(t)
            for t in ctx.clients.cloudtrail.describe_trails(includeShadowTrails=True)["trailList"]
        ],
    )


def trail_logging(ctx: AwsLiveContext, trail: dict[str, Any]) -> bool:
    status = ctx.clients.cloudtrail.get_trail_status(Name=trail["TrailARN"])
    return bool(status.get("IsLogging"))


def selectors(ctx: AwsLiveContext, trail: dict[str, Any]) -> Resource:
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
def multi_region_trail(ctx: AwsLiveContext) -> list[LiveVerdict]:
    found = trails(ctx)
    logging = [t for t in found if t.get("IsMultiRegionTrail") and trail_logging(ctx, t)]
    if logging:
        return [passed(t["TrailARN"], "multi-region and logging") for t in logging]
    return [failed(None, "no logging multi-region trail covers this region")]


def _per_trail(ctx: AwsLiveContext, problem: Any) -> list[LiveVerdict]:
    return [verdict(t["TrailARN"], problem(t)) for t in trails(ctx)]


@live_check("AWS-TRAIL-002")
def trail_validation(ctx: AwsLiveContext) -> list[LiveVerdict]:
    return _per_trail(
        ctx, lambda t: None if t.get("LogFileValidationEnabled") else "log file validation is off"
    )


@live_check("AWS-TRAIL-003")
def trail_kms(ctx: AwsLiveContext) -> list[LiveVerdict]:
    return _per_trail(ctx, lambda t: None if t.get("KmsKeyId") else "not encrypted with a CMK")


@live_check("AWS-TRAIL-004")
def trail_cloudwatch(ctx: AwsLiveContext) -> list[LiveVerdict]:
    return _per_trail(
        ctx,
        lambda t: (
            None if t.get("CloudWatchLogsLogGroupArn") else "not delivered to CloudWatch Logs"
        ),
    )


def _data_events(ctx: AwsLiveContext, resource_type: str) -> list[LiveVerdict]:
    if not trails(ctx):
        return []
    selecting = [t for t in trails(ctx) if common_rules.selects(selectors(ctx, t), resource_type)]
    if selecting:
        return [passed(t["TrailARN"], f"records {resource_type} data events") for t in selecting]
    return [failed(None, f"no trail records {resource_type} data events")]


@live_check("AWS-TRAIL-005")
def trail_s3_data(ctx: AwsLiveContext) -> list[LiveVerdict]:
    return _data_events(ctx, "AWS::S3::Object")


@live_check("AWS-TRAIL-006")
def trail_lambda_data(ctx: AwsLiveContext) -> list[LiveVerdict]:
    return _data_events(ctx, "AWS::Lambda::Function")


@live_check("AWS-TRAIL-007")
def trail_global(ctx: AwsLiveContext) -> list[LiveVerdict]:
    return _per_trail(
        ctx,
        lambda t: None if t.get("IncludeGlobalServiceEvents") else "global service events excluded",
    )


@live_check("AWS-LOGS-001")
def log_retention(ctx: AwsLiveContext) -> list[LiveVerdict]:
    return [
        verdict(
            g["arn"],
            problem
            if isinstance(
                problem := trail_rules.log_retention(
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
