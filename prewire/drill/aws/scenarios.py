"""AWS drill scenarios, on the drills framework of `prewire.drill.scenarios`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from prewire.core.vocabulary import Cloud
from prewire.drill.aws import findings
from prewire.drill.aws.attack_logs import (
    AttackEvent,
    instance_attack,
    write_flow_logs,
    write_trail_objects,
)
from prewire.drill.aws.environment import PreparedAccount
from prewire.drill.scenarios import (
    COMMON,
    Expectation,
    NotVerifiable,
    Scenario,
    ScenarioRun,
    not_collected,
    register,
    stored_text,
)
from responders.aws import parameters
from responders.aws.ec2_snapshots import SNAPSHOT_TAG_CASE
from responders.aws.ecs_tasks import log_streams
from responders.aws.eks_cluster import LOG_TYPES

AwsRun = ScenarioRun[PreparedAccount]


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
        cloud=Cloud.AWS,
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
        cloud=Cloud.AWS,
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
        cloud=Cloud.AWS,
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
