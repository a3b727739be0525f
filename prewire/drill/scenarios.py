"""Drill scenarios: each a registered object with setup, injection, playbook and expectations.

The playbook is whatever the deployed responder function chooses for the finding (the drill
hands the routed event to that same handler); `auto_contain` is the stack setting the scenario
exercises.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from prewire.core.evidence.layout import EvidenceStore
from prewire.core.evidence.verify import verify_case
from prewire.core.registry import Registry, check_kebab_case
from prewire.core.vocabulary import Cloud
from prewire.drill.aws import findings
from prewire.drill.aws.attack_logs import (
    AttackEvent,
    instance_attack,
    write_flow_logs,
    write_trail_objects,
)
from prewire.drill.aws.environment import PreparedAccount
from prewire.drill.inventory import Snapshot
from responders.aws import parameters
from responders.aws.ec2_snapshots import SNAPSHOT_TAG_CASE
from responders.aws.ecs_tasks import log_streams
from responders.aws.eks_cluster import LOG_TYPES

AccountT = TypeVar("AccountT")


@dataclass
class ScenarioRun(Generic[AccountT]):
    """What a scenario's expectations look at once the response has run."""

    account: AccountT
    """The target's prepared account (`PreparedAccount` on AWS, `AzureAccount` on Azure)."""
    case_id: str
    detected_at: datetime
    response: dict[str, Any]
    before: Snapshot
    after: Snapshot
    store: EvidenceStore

    def outcomes(self, action: str | None = None) -> list[dict[str, Any]]:
        found = self.response.get("outcomes", [])
        return [o for o in found if action is None or o["action"] == action]


AwsRun = ScenarioRun[PreparedAccount]


class NotVerifiable(Exception):
    """The target cannot show whether this held (an emulator gap); never reported as a pass."""


Check = Callable[[ScenarioRun[Any]], str | None]
"""Returns None when the expectation held, else what was wrong."""


@dataclass(frozen=True)
class Expectation:
    name: str
    check: Check
    lesson: str


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    auto_contain: bool
    response: str
    """The playbook (or action) the responder must choose, e.g. "playbook contain-instance"."""
    finding: Callable[[Any, datetime], dict[str, Any]]
    """The detector's finding (GuardDuty's, Defender's) for the prepared account."""
    expectations: tuple[Expectation, ...]
    prepare: Callable[[Any, datetime], None] | None = None
    tags: tuple[str, ...] = field(default_factory=tuple)
    cloud: Cloud = Cloud.AWS


SCENARIOS: Registry[str, Scenario] = Registry("drill scenario", key=lambda s: s.name)


def load_scenarios() -> Registry[str, Scenario]:
    """The registry with every cloud's scenarios in it (each cloud's module registers its own)."""
    from prewire.drill.azure import scenarios as azure_scenarios  # noqa: F401  (register on import)
    from prewire.drill.gcp import scenarios as gcp_scenarios  # noqa: F401  (register on import)

    return SCENARIOS


def register(scenario: Scenario) -> Scenario:
    check_kebab_case(scenario.name)
    return SCENARIOS.add(scenario)


# -- shared expectations --------------------------------------------------------------------------


def _evidence_intact(run: ScenarioRun[Any]) -> str | None:
    result = verify_case(run.store, run.case_id)
    if not result.ok:
        return "; ".join(str(p) for p in result.problems[:5]) or "no custody log"
    unlocked = []
    for entry in run.store.read_all_entries(run.case_id):
        for artifact in entry.artifacts:
            if run.store.retention_of(artifact.key) != "COMPLIANCE":
                unlocked.append(artifact.key)
    if unlocked:
        return f"{len(unlocked)} artifact(s) not under COMPLIANCE lock, e.g. {unlocked[0]}"
    return None


def stored_text(run: ScenarioRun[Any], action: str, suffix: str) -> str:
    """The text of every artifact of `action` in the case whose key ends with `suffix`."""
    return "".join(
        run.store.open(a.key).read().decode()
        for entry in run.store.read_all_entries(run.case_id)
        if entry.action == action
        for a in entry.artifacts
        if a.key.endswith(suffix)
    )


def not_collected(text: str, wanted: tuple[tuple[str, str], ...]) -> str | None:
    """None when every (what, needle) needle is in `text`, else what is missing."""
    gone = [what for what, needle in wanted if needle not in text]
    return f"not collected: {', '.join(gone)}" if gone else None


def _nothing_destroyed(run: ScenarioRun[Any]) -> str | None:
    problems = run.after.lost_since(run.before)
    return "; ".join(problems[:5]) if problems else None


def _responders_did_not_fail(run: ScenarioRun[Any]) -> str | None:
    failed = [
        f"{o['action']} on {o['target']}: {o['message']}"
        for o in run.outcomes()
        if o["status"] == "failed"
    ]
    return "; ".join(failed) if failed else None


COMMON = (
    Expectation(
        "responders completed without failure",
        _responders_did_not_fail,
        "Read the failed step's message in the custody log; fix the permission or the "
        "prewired resource it names, then re-run the same case to resume.",
    ),
    Expectation(
        "evidence present under COMPLIANCE lock with matching hashes",
        _evidence_intact,
        "Evidence must land in the locked evidence store (S3 Object Lock in COMPLIANCE mode, "
        "a locked Azure immutability policy); check its retention and that responders write "
        "to it (prewire evidence verify).",
    ),
    Expectation(
        "nothing deleted, stopped or terminated",
        _nothing_destroyed,
        "A responder or automation destroyed evidence: find the deleting call in the audit "
        "log (CloudTrail, the Activity Log) and remove that automation or permission.",
    ),
)


# -- ec2-compromise -------------------------------------------------------------------------------


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


# -- access-key-leak ------------------------------------------------------------------------------


def _keys_inactive(run: AwsRun) -> str | None:
    keys = run.account.clients.iam.list_access_keys(UserName=run.account.victim.user_name)
    active = [k["AccessKeyId"] for k in keys["AccessKeyMetadata"] if k["Status"] == "Active"]
    return f"keys still active: {', '.join(active)}" if active else None


def _user_quarantined(run: AwsRun) -> str | None:
    policy = run.account.parameter(parameters.QUARANTINE_POLICY_ARN)
    attached = run.account.clients.iam.list_attached_user_policies(
        UserName=run.account.victim.user_name
    )["AttachedPolicies"]
    return (
        None if policy in {p["PolicyArn"] for p in attached} else "quarantine policy not attached"
    )


def _logs_collected(run: AwsRun) -> str | None:
    [outcome] = run.outcomes("collect-logs") or [{"status": "missing", "message": "not run"}]
    if outcome["status"] != "collected" or not outcome["artifacts"]:
        return f"log bundle not collected: {outcome['message']}"
    return None


def _key_finding(account: PreparedAccount, when: datetime) -> dict[str, Any]:
    return findings.finding(
        "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom",
        7.5,
        findings.access_key_resource(account.victim.user_name, account.victim.access_key_ids[0]),
        account.clients.region,
        when,
        account.account_id,
    )


def _key_attack(account: PreparedAccount, start: datetime) -> None:
    user_arn = f"arn:aws:iam::{account.account_id}:user/{account.victim.user_name}"
    events = [
        AttackEvent(name, source, user_arn, account.victim.user_name)
        for name, source in (
            ("ListBuckets", "s3.amazonaws.com"),
            ("GetSecretValue", "secretsmanager.amazonaws.com"),
            ("CreateAccessKey", "iam.amazonaws.com"),
        )
    ]
    write_trail_objects(account.clients, account.audit_bucket, account.account_id, events, start)


register(
    Scenario(
        name="access-key-leak",
        summary="A CI user's access keys are used from an attacker's address",
        auto_contain=True,
        response="playbook contain-credentials",
        finding=_key_finding,
        prepare=_key_attack,
        expectations=(
            Expectation(
                "every access key of the user inactive",
                _keys_inactive,
                "Grant the responder iam:UpdateAccessKey; rotate keys after the case.",
            ),
            Expectation(
                "user quarantined with the deny-all policy",
                _user_quarantined,
                "Check the quarantine policy exists (/prewire/aws/quarantine-policy-arn).",
            ),
            Expectation(
                "user's CloudTrail activity collected",
                _logs_collected,
                "Keep the trail's log objects in the audit store for the investigation window.",
            ),
            *COMMON,
        ),
    )
)


# -- lambda-backdoor ------------------------------------------------------------------------------


def _function_frozen(run: AwsRun) -> str | None:
    fn = run.account.clients.lambda_
    name = run.account.victim.function_name
    versions = [
        v
        for v in fn.list_versions_by_function(FunctionName=name)["Versions"]
        if v["Version"] != "$LATEST"
    ]
    latest = fn.get_function_configuration(FunctionName=name)
    if not any(v["CodeSha256"] == latest["CodeSha256"] for v in versions):
        return "$LATEST was not published as a version"
    concurrency = fn.get_function_concurrency(FunctionName=name).get("ReservedConcurrentExecutions")
    return None if concurrency == 0 else f"reserved concurrency is {concurrency}, not 0"


def _code_kept(run: AwsRun) -> str | None:
    [outcome] = run.outcomes("preserve-function") or [{"artifacts": []}]
    codes = [a for a in outcome["artifacts"] if a["key"].endswith(".zip")]
    expected = len(run.account.victim.function_versions) + 1  # plus the backdoored $LATEST
    return (
        None if len(codes) >= expected else f"{len(codes)} code packages kept, {expected} expected"
    )


def _lambda_finding(account: PreparedAccount, when: datetime) -> dict[str, Any]:
    name = account.victim.function_name
    arn = account.clients.lambda_.get_function_configuration(FunctionName=name)["FunctionArn"]
    return findings.finding(
        "Backdoor:Lambda/C&CActivity.B",
        8.0,
        findings.lambda_resource(name, arn),
        account.clients.region,
        when,
        account.account_id,
    )


register(
    Scenario(
        name="lambda-backdoor",
        summary="An unpublished change to a function exfiltrates its secrets",
        auto_contain=True,
        response="playbook freeze-function",
        finding=_lambda_finding,
        expectations=(
            Expectation(
                "backdoored $LATEST published and invocations stopped",
                _function_frozen,
                "Grant lambda:PublishVersion and lambda:PutFunctionConcurrency.",
            ),
            Expectation(
                "code of every version kept as evidence",
                _code_kept,
                "Grant lambda:GetFunction; GetFunction's code location must be reachable.",
            ),
            *COMMON,
        ),
    )
)


# -- eks-node-compromise --------------------------------------------------------------------------


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


# -- ecs-task-compromise --------------------------------------------------------------------------

ECS_ATTACK_LINES = (
    "curl -s http://169.254.170.2/v2/credentials/$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "xmrig --url pool.drill.invalid:3333 --donate-level 0",
)


def _victim_task(account: PreparedAccount) -> dict[str, Any]:
    victim = account.victim
    [task] = account.clients.ecs.describe_tasks(
        cluster=victim.ecs_cluster, tasks=[victim.ecs_task]
    )["tasks"]
    return dict(task)


def _task_stream(account: PreparedAccount) -> tuple[str, str]:
    """The awslogs group and stream of the task's container, as its definition names them."""
    task = _victim_task(account)
    definition = account.clients.ecs.describe_task_definition(
        taskDefinition=task["taskDefinitionArn"]
    )["taskDefinition"]
    [stream] = log_streams(dict(definition), task["taskArn"].rsplit("/", 1)[-1])
    return stream


def _ecs_attack(account: PreparedAccount, start: datetime) -> None:
    """What the compromised container printed: a credential theft and a miner starting."""
    logs = account.clients.logs
    group, stream = _task_stream(account)
    if not logs.describe_log_groups(logGroupNamePrefix=group)["logGroups"]:
        logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName=stream)
    events: list[Any] = [
        {"timestamp": int((start + timedelta(minutes=n)).timestamp() * 1000), "message": line}
        for n, line in enumerate(ECS_ATTACK_LINES)
    ]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


def _ecs_finding(account: PreparedAccount, when: datetime) -> dict[str, Any]:
    task = _victim_task(account)
    return findings.finding(
        "CryptoCurrency:Runtime/BitcoinTool.B",
        8.0,
        findings.ecs_resource(task["clusterArn"], task),
        account.clients.region,
        when,
        account.account_id,
    )


def _task_state_collected(run: AwsRun) -> str | None:
    victim = run.account.victim
    definition = _victim_task(run.account)["taskDefinitionArn"]
    return not_collected(
        stored_text(run, "collect-tasks", "tasks.json")
        + stored_text(run, "collect-tasks", "task-definitions.json")
        + stored_text(run, "collect-tasks", "service.json"),
        (
            ("the task's state", victim.ecs_task),
            ("its network attachment", "networkInterfaceId"),
            ("its task definition", definition),
            ("the service", victim.ecs_service),
        ),
    )


def _task_logs_collected(run: AwsRun) -> str | None:
    return not_collected(
        stored_text(run, "collect-tasks", ".jsonl"),
        tuple((f"container log line {n + 1}", line) for n, line in enumerate(ECS_ATTACK_LINES)),
    )


def _task_left_running(run: AwsRun) -> str | None:
    status = _victim_task(run.account)["desiredStatus"]
    return None if status == "RUNNING" else f"the task was asked to stop (desired {status})"


register(
    Scenario(
        name="ecs-task-compromise",
        summary="A Fargate task of an ECS service steals its role's credentials and mines",
        auto_contain=False,
        response="action collect-tasks",
        finding=_ecs_finding,
        prepare=_ecs_attack,
        expectations=(
            Expectation(
                "the task's state, definition and service collected",
                _task_state_collected,
                "Grant ecs:ListTasks, ecs:DescribeTasks, ecs:DescribeTaskDefinition and "
                "ecs:DescribeServices; a stopped Fargate task stays listed for about an hour.",
            ),
            Expectation(
                "the container's logs collected",
                _task_logs_collected,
                "Give every container an awslogs (or FireLens) log configuration: a Fargate "
                "task's own disk is gone when it stops.",
            ),
            Expectation(
                "the compromised task left running",
                _task_left_running,
                "Collecting evidence must not stop the task; stop it only when containment is "
                "decided, after its state and logs are kept.",
            ),
            *COMMON,
        ),
    )
)
