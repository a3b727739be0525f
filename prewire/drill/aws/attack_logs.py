"""Realistic CloudTrail and VPC flow log objects for a drill's attack window.

Neither moto nor a fresh sandbox trail has delivered logs for the attack the drill simulates,
so the drill writes them where CloudTrail and flow-log delivery would (same key layout, gzip'd
JSON records and version-5 flow records) and says so in its report.
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from responders.aws.session import AwsClients
from stacks.aws.flowlogs import EXTENDED_FORMAT

ATTACKER_IP = "198.51.100.23"
C2_IP = "203.0.113.7"


@dataclass(frozen=True)
class AttackEvent:
    name: str
    source: str
    principal_arn: str
    session: str
    resource: str | None = None


def _record(event: AttackEvent, when: datetime, account: str, region: str) -> dict[str, object]:
    record: dict[str, object] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "arn": event.principal_arn,
            "accountId": account,
            "sessionContext": {"sessionIssuer": {"type": "Role", "userName": event.session}},
        },
        "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": event.source,
        "eventName": event.name,
        "awsRegion": region,
        "sourceIPAddress": ATTACKER_IP,
        "userAgent": "aws-cli/2.15.0",
        "requestID": str(uuid.uuid4()),
        "eventID": str(uuid.uuid4()),
        "readOnly": event.name.startswith(("List", "Get", "Describe")),
        "eventType": "AwsApiCall",
        "recipientAccountId": account,
    }
    if event.resource:
        record["resources"] = [{"ARN": event.resource, "accountId": account}]
    return record


def write_trail_objects(
    clients: AwsClients, bucket: str, account: str, events: Sequence[AttackEvent], start: datetime
) -> list[str]:
    """One delivery object per event minute, under AWSLogs/<account>/CloudTrail/<region>/..."""
    keys = []
    region = clients.region
    for index, event in enumerate(events):
        when = start + timedelta(minutes=index)
        key = (
            f"AWSLogs/{account}/CloudTrail/{region}/{when:%Y/%m/%d}/"
            f"{account}_CloudTrail_{region}_{when:%Y%m%dT%H%M}Z_{uuid.uuid4().hex[:16]}.json.gz"
        )
        body = gzip.compress(
            json.dumps({"Records": [_record(event, when, account, region)]}).encode()
        )
        clients.s3.put_object(Bucket=bucket, Key=key, Body=body, ChecksumAlgorithm="SHA256")
        keys.append(key)
    return keys


def write_flow_logs(
    clients: AwsClients,
    bucket: str,
    prefix: str,
    account: str,
    interfaces: Sequence[str],
    start: datetime,
) -> str:
    """A flow log object with the victim's interfaces talking to a command-and-control host."""
    region = clients.region
    lines = []
    for minute, eni in enumerate(interfaces):
        begin = int((start + timedelta(minutes=minute)).timestamp())
        lines.append(
            f"5 {account} {eni} 10.42.1.10 {C2_IP} 49152 4444 6 120 48000 {begin} "
            f"{begin + 60} ACCEPT OK - - - 2 - - - {region} - - - - - egress -"
        )
        lines.append(
            f"5 {account} {eni} {ATTACKER_IP} 10.42.1.10 51515 22 6 40 9000 {begin} "
            f"{begin + 60} ACCEPT OK - - - 2 - - - {region} - - - - - ingress -"
        )
    key = (
        f"{prefix}AWSLogs/{account}/vpcflowlogs/{region}/{start:%Y/%m/%d}/"
        f"{account}_vpcflowlogs_{region}_fl-drill_{start:%Y%m%dT%H%M}Z_{uuid.uuid4().hex[:8]}.log.gz"
    )
    header = " ".join(name.strip("${}") for name in EXTENDED_FORMAT.split())
    body = gzip.compress(("\n".join([header, *lines]) + "\n").encode())
    clients.s3.put_object(Bucket=bucket, Key=key, Body=body, ChecksumAlgorithm="SHA256")
    return key


def instance_attack(
    instance_id: str, role_arn: str, account: str, region: str
) -> list[AttackEvent]:
    """What an intruder with the instance's credentials did: recon, then persistence."""
    session = (
        f"{role_arn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/{instance_id}"
    )
    role = role_arn.split("/")[-1]
    return [
        AttackEvent("GetCallerIdentity", "sts.amazonaws.com", session, role),
        AttackEvent("ListBuckets", "s3.amazonaws.com", session, role),
        AttackEvent(
            "DescribeInstances",
            "ec2.amazonaws.com",
            session,
            role,
            f"arn:aws:ec2:{region}:{account}:instance/{instance_id}",
        ),
        AttackEvent(
            "CreateUser",
            "iam.amazonaws.com",
            session,
            role,
            f"arn:aws:iam::{account}:user/backup-svc",
        ),
        AttackEvent(
            "CreateAccessKey",
            "iam.amazonaws.com",
            session,
            role,
            f"arn:aws:iam::{account}:user/backup-svc",
        ),
    ]
