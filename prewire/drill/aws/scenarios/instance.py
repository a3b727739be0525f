"""ec2-compromise: a web server in an Auto Scaling group talks to a command-and-control host."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prewire.core.vocabulary import Cloud
from prewire.drill.aws import findings
from prewire.drill.aws.attack_logs import instance_attack, write_flow_logs, write_trail_objects
from prewire.drill.aws.environment import PreparedAccount
from prewire.drill.aws.scenarios.common import AwsRun
from prewire.drill.scenarios import COMMON, Expectation, NotVerifiable, Scenario, register
from responders.aws import parameters
from responders.aws.ec2_snapshots import SNAPSHOT_TAG_CASE


def _instance(run: AwsRun) -> dict[str, Any]:
    found = run.account.clients.ec2.describe_instances(InstanceIds=[run.account.victim.instance_id])
    return dict(found["Reservations"][0]["Instances"][0])


def _isolated(run: AwsRun) -> str | None:
    isolation = run.account.isolation_group
    open_interfaces = [
        e["NetworkInterfaceId"]
        for e in _instance(run)["NetworkInterfaces"]
        if [g["GroupId"] for g in e["Groups"]] != [isolation]
    ]
    return f"interfaces not isolated: {', '.join(open_interfaces)}" if open_interfaces else None


def _role_quarantined(run: AwsRun) -> str | None:
    iam = run.account.clients.iam
    policy = run.account.parameter(parameters.QUARANTINE_POLICY_ARN)
    attached = iam.list_attached_role_policies(RoleName=run.account.victim.role_name)
    if policy not in {p["PolicyArn"] for p in attached["AttachedPolicies"]}:
        return f"quarantine policy not attached to {run.account.victim.role_name}"
    return None


def _snapshots_tagged(run: AwsRun) -> str | None:
    snapshots = run.account.clients.ec2.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": f"tag:{SNAPSHOT_TAG_CASE}", "Values": [run.case_id]}]
    )["Snapshots"]
    missing = set(run.account.victim.volume_ids) - {s["VolumeId"] for s in snapshots}
    return f"volumes without a case snapshot: {', '.join(sorted(missing))}" if missing else None


def _memory(run: AwsRun) -> str | None:
    [outcome] = run.outcomes("capture-memory") or [{"status": "missing", "message": "not run"}]
    if outcome["status"] == "unsupported":
        raise NotVerifiable(outcome["message"])
    return None if outcome["status"] in ("collected", "unchanged") else outcome["message"]


def _ec2_finding(account: PreparedAccount, when: datetime) -> dict[str, Any]:
    victim = account.victim
    return findings.finding(
        "Backdoor:EC2/C&CActivity.B",
        8.0,
        findings.instance_resource(
            victim.instance_id, account.network.vpc_id, account.network.subnet_ids[0]
        ),
        account.clients.region,
        when,
        account.account_id,
    )


def _ec2_attack(account: PreparedAccount, start: datetime) -> None:
    role_arn = account.clients.iam.get_role(RoleName=account.victim.role_name)["Role"]["Arn"]
    events = instance_attack(
        account.victim.instance_id, role_arn, account.account_id, account.clients.region
    )
    write_trail_objects(account.clients, account.audit_bucket, account.account_id, events, start)
    interfaces = [
        e["NetworkInterfaceId"]
        for e in account.clients.ec2.describe_instances(InstanceIds=[account.victim.instance_id])[
            "Reservations"
        ][0]["Instances"][0]["NetworkInterfaces"]
    ]
    write_flow_logs(
        account.clients, account.audit_bucket, "flow-logs/", account.account_id, interfaces, start
    )


register(
    Scenario(
        cloud=Cloud.AWS,
        name="ec2-compromise",
        summary="A web server in an Auto Scaling group talks to a command-and-control host",
        auto_contain=True,
        response="playbook contain-instance",
        finding=_ec2_finding,
        prepare=_ec2_attack,
        expectations=(
            Expectation(
                "instance isolated on every interface",
                _isolated,
                "Deploy the stack with the instance's VPC in prewire:aws.vpcIds so its "
                "isolation group exists.",
            ),
            Expectation(
                "instance role quarantined",
                _role_quarantined,
                "Check the quarantine policy parameter and the responder's iam:Attach* rights.",
            ),
            Expectation(
                "every volume snapshotted and tagged with the case",
                _snapshots_tagged,
                "Check ec2:CreateSnapshots for the responder and the volumes' KMS key grants.",
            ),
            Expectation(
                "memory image captured",
                _memory,
                "Stage the memory tool (prewire:aws.memoryToolS3Uri) and make instances "
                "reachable by SSM.",
            ),
            *COMMON,
        ),
    )
)
