"""collect-logs: CloudTrail events and log objects, and VPC flow logs, for a subject and window.

For an instance the subject is the instance id (as a resource, and as the session name its role
credentials carry); for an IAM user or role it is the identity's name. The bundle is one gzip'd
tar with a manifest of every member's SHA-256; raw CloudTrail objects are kept as delivered so
CloudTrail's own digest validation still applies to them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import botocore.exceptions

from prewire.core.vocabulary import Cloud, EvidenceSource
from responders.aws.case import AwsCase
from responders.aws.cloudwatch_export import as_jsonl, filter_events
from responders.aws.parameters import SESSION_PREFERENCES_DOCUMENT as SESSION_DOCUMENT
from responders.aws.session import error_code, is_api_gap
from responders.aws.targets import describe_instance
from responders.registry import Scope, action, perms
from responders.runtime import Status, Step

KEY_TIME = re.compile(r"_(\d{8}T\d{4})Z_")


def account_id(case: AwsCase) -> str:
    return case.shared("account-id", lambda: str(case.clients.sts.get_caller_identity()["Account"]))


def _days(start: datetime, end: datetime) -> Iterator[datetime]:
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day <= end:
        yield day
        day += timedelta(days=1)


def _in_window(key: str, start: datetime, end: datetime) -> bool:
    match = KEY_TIME.search(key)
    if not match:
        return True
    stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M").replace(tzinfo=start.tzinfo)
    # Objects are delivered up to ~15 minutes after their events.
    return start - timedelta(minutes=5) <= stamp <= end + timedelta(minutes=20)


class Bundle:
    """A tar.gz written to a temporary file, with a manifest of member hashes."""

    def __init__(self) -> None:
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - returned to the caller by finish
        self._tar = tarfile.open(fileobj=self.file, mode="w:gz")  # noqa: SIM115 - closed in finish
        self.manifest: dict[str, dict[str, Any]] = {}

    def add(self, name: str, data: bytes, source: str) -> None:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        self._tar.addfile(info, io.BytesIO(data))
        self.manifest[name] = {
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
            "source": source,
        }

    def finish(self, summary: dict[str, Any]) -> tempfile._TemporaryFileWrapper[bytes] | Any:
        manifest = json.dumps(
            {"summary": summary, "members": self.manifest}, indent=2, sort_keys=True, default=str
        ).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(manifest)
        self._tar.addfile(info, io.BytesIO(manifest))
        self._tar.close()
        self.file.seek(0)
        return self.file


def _lookup_events(case: AwsCase, subject: dict[str, str], step: Step) -> list[dict[str, Any]]:
    start, end = case.options.window()
    events: dict[str, dict[str, Any]] = {}
    attributes: list[Any] = [
        {"AttributeKey": "ResourceName", "AttributeValue": subject["resource"]}
    ]
    if subject.get("principal"):
        attributes.append({"AttributeKey": "Username", "AttributeValue": subject["principal"]})
    paginator = case.clients.cloudtrail.get_paginator("lookup_events")
    try:
        for attribute in attributes:
            for page in paginator.paginate(
                LookupAttributes=[attribute], StartTime=start, EndTime=end
            ):
                for event in page.get("Events", []):
                    events[event["EventId"]] = dict(event)
    except botocore.exceptions.ClientError as error:
        if is_api_gap(error):
            step.warn(
                "CloudTrail LookupEvents is unavailable on this target; "
                "events come from the trail's log objects only"
            )
            return []
        raise
    return sorted(events.values(), key=lambda e: str(e.get("EventTime")))


def _trail_objects(case: AwsCase, bundle: Bundle, subject: dict[str, str], step: Step) -> int:
    bucket = case.prewired.audit_bucket
    if not bucket:
        step.warn("no audit bucket known (/prewire/aws/audit-bucket): trail objects not collected")
        return 0
    start, end = case.options.window()
    s3 = case.clients.s3
    count = 0
    matched = 0
    for day in _days(start, end):
        prefix = f"AWSLogs/{account_id(case)}/CloudTrail/{case.clients.region}/{day:%Y/%m/%d}/"
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                if not _in_window(item["Key"], start, end):
                    continue
                raw = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                bundle.add(f"cloudtrail/{item['Key']}", raw, f"s3://{bucket}/{item['Key']}")
                count += 1
                matched += _count_mentions(raw, subject)
    step.note(f"{count} trail object(s), {matched} record(s) about {subject['resource']}")
    return count


def _count_mentions(raw: bytes, subject: dict[str, str]) -> int:
    try:
        records = json.loads(gzip.decompress(raw)).get("Records", [])
    except (OSError, ValueError):
        return 0
    needles = [v for v in subject.values() if v]
    return sum(1 for r in records if any(n in json.dumps(r) for n in needles))


def _session_log_group(case: AwsCase) -> str | None:
    """Where Session Manager writes transcripts, from its preferences document."""
    try:
        content = case.clients.ssm.get_document(Name=SESSION_DOCUMENT)["Content"]
    except botocore.exceptions.ClientError:
        return None
    group = json.loads(content).get("inputs", {}).get("cloudWatchLogGroupName")
    return str(group) if group else None


def _session_logs(case: AwsCase, bundle: Bundle, instance_id: str, step: Step) -> None:
    """Transcripts of every Session Manager session into the instance during the window."""
    try:
        pages = case.clients.ssm.get_paginator("describe_sessions").paginate(
            State="History", Filters=[{"key": "Target", "value": instance_id}]
        )
        sessions = [s["SessionId"] for page in pages for s in page.get("Sessions", [])]
    except botocore.exceptions.ClientError as error:
        if is_api_gap(error):
            step.warn(
                "SSM DescribeSessions is unavailable on this target: session transcripts "
                "not collected"
            )
            return
        raise
    group = _session_log_group(case)
    if not sessions or not group:
        step.note(f"{len(sessions)} Session Manager session(s) into {instance_id}")
        return
    events = filter_events(case, group, streams=sessions) or []
    bundle.add("session-manager.jsonl", as_jsonl(events), f"{group} for {len(sessions)} session(s)")
    step.note(f"{len(sessions)} Session Manager session(s), {len(events)} transcript event(s)")


def _flow_logs(case: AwsCase, bundle: Bundle, instance: dict[str, Any], step: Step) -> int:
    interfaces = [e["NetworkInterfaceId"] for e in instance.get("NetworkInterfaces", [])]
    resources = [instance.get("VpcId"), instance.get("SubnetId"), *interfaces]
    described = case.clients.ec2.describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [r for r in resources if r]}]
    )["FlowLogs"]
    start, end = case.options.window()
    s3 = case.clients.s3
    lines: dict[str, list[str]] = {eni: [] for eni in interfaces}
    for flow_log in described:
        if flow_log.get("LogDestinationType") != "s3":
            continue
        bucket, _, base = flow_log["LogDestination"].removeprefix("arn:aws:s3:::").partition("/")
        base = base.rstrip("/") + "/" if base else ""
        for day in _days(start, end):
            prefix = (
                f"{base}AWSLogs/{account_id(case)}/vpcflowlogs/{case.clients.region}/"
                f"{day:%Y/%m/%d}/"
            )
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    raw = s3.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
                    text = gzip.decompress(raw) if item["Key"].endswith(".gz") else raw
                    for line in text.decode(errors="replace").splitlines():
                        for eni in interfaces:
                            if eni in line:
                                lines[eni].append(line)
    total = 0
    for eni, found in lines.items():
        bundle.add(f"flow-logs/{eni}.log", "\n".join(found).encode(), "VPC flow logs (filtered)")
        total += len(found)
    step.note(f"{total} flow log record(s) for {len(interfaces)} interface(s)")
    return total


def _subject(case: AwsCase, target: str) -> tuple[dict[str, str], dict[str, Any] | None]:
    if target.startswith("i-"):
        instance = describe_instance(case, target)
        # Instance-role sessions are named after the instance id.
        return {"resource": target, "principal": target}, instance
    name = target.split("/")[-1]
    return {"resource": name, "principal": name}, None


@action(
    Cloud.AWS,
    "collect-logs",
    summary="CloudTrail events and objects, VPC flow logs for the subject's window, one bundle",
    target_kind="subject",
    permissions=(
        *perms(
            "cloudtrail:LookupEvents",
            "ec2:DescribeInstances",
            "ec2:DescribeFlowLogs",
            "sts:GetCallerIdentity",
            "ssm:DescribeSessions",
        ),
        *perms("ssm:GetDocument", "logs:FilterLogEvents", scope=Scope.ACCOUNT_RESOURCES),
        *perms("s3:ListBucket", scope=Scope.AUDIT_BUCKET),
        *perms("s3:GetObject", scope=Scope.AUDIT_OBJECTS),
        *perms("kms:Decrypt", scope=Scope.FORENSIC_KEY),
    ),
    destructive=False,
    produces=(
        EvidenceSource.CLOUDTRAIL,
        EvidenceSource.VPC_FLOW_LOGS,
        EvidenceSource.SSM_SESSION_LOGS,
    ),
)
def collect_logs(case: AwsCase, target: str, step: Step) -> Status:
    earlier = case.collected_before(step.action, target)
    if earlier:
        step.note(f"logs already collected at {earlier}")
        return Status.UNCHANGED
    subject, instance = _subject(case, target)
    start, end = case.options.window()
    bundle = Bundle()
    events = _lookup_events(case, subject, step)
    bundle.add(
        "lookup-events.jsonl",
        "\n".join(json.dumps(e, default=str, sort_keys=True) for e in events).encode(),
        "CloudTrail LookupEvents",
    )
    step.note(f"{len(events)} CloudTrail event(s) from LookupEvents")
    _trail_objects(case, bundle, subject, step)
    if instance is not None:
        _flow_logs(case, bundle, instance, step)
        _session_logs(case, bundle, target, step)
    summary = {
        "subject": subject,
        "window": [start.isoformat(), end.isoformat()],
        "region": case.clients.region,
    }
    if case.dry_run:
        step.planned_artifact("logs.tar.gz")
        return Status.PLANNED
    with bundle.finish(summary) as file:
        store = case.require_store()
        key = store.artifact_key(case.case_id, target, step.action, "logs.tar.gz")
        step.artifacts.append(store.put_stream(key, file, "CloudTrail and flow log bundle"))
    return Status.COLLECTED


def error_is(error: botocore.exceptions.ClientError, code: str) -> bool:
    return error_code(error) == code
