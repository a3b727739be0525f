"""eks-node-compromise: a pod on an EKS node runs a new binary and binds itself cluster-admin."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from prewire.core.vocabulary import Cloud
from prewire.drill.aws import findings
from prewire.drill.aws.environment import PreparedAccount
from prewire.drill.aws.scenarios.common import AwsRun
from prewire.drill.scenarios import COMMON, Expectation, Scenario, register
from responders.aws.ec2_snapshots import SNAPSHOT_TAG_CASE
from responders.aws.eks_cluster import LOG_TYPES


def _control_plane_logging(run: AwsRun) -> str | None:
    cluster = run.account.clients.eks.describe_cluster(name=run.account.victim.eks_cluster)[
        "cluster"
    ]
    enabled = {t for s in cluster["logging"]["clusterLogging"] if s["enabled"] for t in s["types"]}
    missing = set(LOG_TYPES) - enabled
    return f"control-plane logs still off: {', '.join(sorted(missing))}" if missing else None


def _node_snapshotted(run: AwsRun) -> str | None:
    node = run.account.victim.eks_node
    snapshots = run.account.clients.ec2.describe_snapshots(
        OwnerIds=["self"], Filters=[{"Name": f"tag:{SNAPSHOT_TAG_CASE}", "Values": [run.case_id]}]
    )["Snapshots"]
    volumes = {
        m["Ebs"]["VolumeId"]
        for m in run.account.clients.ec2.describe_instances(InstanceIds=[node])["Reservations"][0][
            "Instances"
        ][0]["BlockDeviceMappings"]
    }
    missing = volumes - {s["VolumeId"] for s in snapshots}
    return f"node volumes without snapshot: {', '.join(sorted(missing))}" if missing else None


def _eks_finding(account: PreparedAccount, when: datetime) -> dict[str, Any]:
    return findings.finding(
        "Execution:Runtime/NewBinaryExecuted",
        7.0,
        findings.eks_resource(account.victim.eks_cluster, account.victim.eks_node),
        account.clients.region,
        when,
        account.account_id,
    )


def _eks_attack(account: PreparedAccount, start: datetime) -> None:
    logs = account.clients.logs
    group = f"/aws/eks/{account.victim.eks_cluster}/cluster"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="kube-apiserver-audit-drill")
    events: list[Any] = [
        {"timestamp": int((start + timedelta(minutes=n)).timestamp() * 1000), "message": message}
        for n, message in enumerate(
            (
                '{"verb":"create","objectRef":{"resource":"pods","subresource":"exec"},'
                '"user":{"username":"system:serviceaccount:default:web"}}',
                '{"verb":"create","objectRef":{"resource":"clusterrolebindings"},'
                '"user":{"username":"system:serviceaccount:default:web"}}',
            )
        )
    ]
    logs.put_log_events(
        logGroupName=group, logStreamName="kube-apiserver-audit-drill", logEvents=events
    )


register(
    Scenario(
        cloud=Cloud.AWS,
        name="eks-node-compromise",
        summary="A pod on an EKS node runs a new binary and binds itself cluster-admin",
        auto_contain=False,
        response="playbook investigate-cluster",
        finding=_eks_finding,
        prepare=_eks_attack,
        expectations=(
            Expectation(
                "all five control-plane log types enabled",
                _control_plane_logging,
                "Enable api, audit, authenticator, controllerManager and scheduler logs on "
                "every cluster before an incident: logs that were off are gone.",
            ),
            Expectation(
                "node volumes snapshotted with the case",
                _node_snapshotted,
                "Check the node's instance id resolves (tag eks:cluster-name) and "
                "ec2:CreateSnapshots.",
            ),
            *COMMON,
        ),
    )
)
