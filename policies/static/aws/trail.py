"""CloudTrail and CloudWatch Logs: the audit trail and how long log groups keep evidence."""

from __future__ import annotations

from policies.static.aws.common import multi_region_problem, selects
from policies.static.engine import Context, Verdict, graph_rule, resource_rule
from prewire.core import tokens as t
from prewire.core.graph import Graph, Resource


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


@resource_rule("AWS-LOGS-001", t.LOG_GROUP)
def log_retention(group: Resource, context: Context) -> str | None:
    days = int(group.get("retentionInDays") or 0)
    if 0 < days < context.retention_days:
        return f"keeps logs {days} days, required {context.retention_days}"
    return None
