"""`prewire audit aws` on the embedded emulator: an account made unready in specific ways gets
exactly the expected failed findings; an empty account becomes ready once the stack is in it;
APIs the emulator lacks give `unknown` with the reason, never a pass."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from policies.findings import Finding, Status
from policies.live.aws.audit import audit_account
from prewire.cli.main import app
from prewire.drill.aws.environment import (
    PLACEHOLDER_VPC,
    known_vpcs,
    stack_graph,
    stage_memory_tool,
)
from prewire.drill.aws.provision import provision
from prewire.drill.aws.victim import seed_network
from prewire.emulator.aws import EmbeddedAws
from responders.aws import parameters
from responders.aws.session import AwsClients

AMI = "ami-0a1b2c3d4e5f60718"
TRUST_LAMBDA = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"},
            }
        ],
    }
)


@pytest.fixture(scope="module")
def emulator() -> Any:
    with EmbeddedAws() as aws:
        yield aws


def failed(findings: list[Finding]) -> set[str]:
    return {f.control.id for f in findings if f.status is Status.FAILED}


def unknown(findings: list[Finding]) -> dict[str, str]:
    return {f.control.id: f.message for f in findings if f.status is Status.UNKNOWN}


def put(clients: AwsClients, name: str, value: str) -> None:
    clients.ssm.put_parameter(Name=name, Value=value, Type="String", Overwrite=True)


def seed_unready(clients: AwsClients) -> None:
    """One misconfiguration per control the emulator can represent."""
    s3, ec2, iam = clients.s3, clients.ec2, clients.iam
    for bucket in ("audit-logs", "evidence"):
        s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=bucket == "evidence")
    s3.put_object_lock_configuration(
        Bucket="evidence",
        ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 30}},
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket="audit-logs",
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "tidy",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "Expiration": {"Days": 30},
                }
            ]
        },
    )
    put(clients, parameters.EVIDENCE_BUCKET, "evidence")
    clients.cloudtrail.create_trail(
        Name="legacy",
        S3BucketName="audit-logs",
        IsMultiRegionTrail=False,
        IncludeGlobalServiceEvents=False,
    )
    clients.cloudtrail.start_logging(Name="legacy")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.9.1.0/24")["Subnet"]["SubnetId"]
    s3.create_bucket(Bucket="flow-logs")
    ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="REJECT",
        LogDestinationType="s3",
        LogDestination="arn:aws:s3:::flow-logs",
    )
    ec2.run_instances(
        ImageId=AMI,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        BlockDeviceMappings=[
            {"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8, "DeleteOnTermination": True}}
        ],
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "prewire:critical", "Value": "true"}]}
        ],
    )
    clients.client("backup").create_backup_vault(BackupVaultName="unlocked")
    allow_all = iam.create_policy(
        PolicyName="not-a-quarantine",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            }
        ),
    )
    put(clients, parameters.QUARANTINE_POLICY_ARN, allow_all["Policy"]["Arn"])
    trust_anyone = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                }
            ],
        }
    )
    glass = iam.create_role(
        RoleName="legacy-break-glass",
        AssumeRolePolicyDocument=trust_anyone,
        MaxSessionDuration=43200,
    )["Role"]["Arn"]
    put(clients, parameters.BREAK_GLASS_ROLE_ARN, glass)
    responder = iam.create_role(RoleName="legacy-responder", AssumeRolePolicyDocument=TRUST_LAMBDA)
    iam.put_role_policy(
        RoleName="legacy-responder",
        PolicyName="broad",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
            }
        ),
    )
    put(clients, parameters.RESPONDER_ROLE_ARN, responder["Role"]["Arn"])
    iam.put_role_policy(
        RoleName="legacy-responder",
        PolicyName="cleanup",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "lambda:DeleteFunction", "Resource": "*"}
                ],
            }
        ),
    )
    import io
    import zipfile

    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as z:
        z.writestr("app.py", "def handle(e, c): pass\n")
    clients.lambda_.create_function(
        FunctionName="latest-only",
        Runtime="python3.12",
        Role=responder["Role"]["Arn"],
        Handler="app.handle",
        Code={"ZipFile": code.getvalue()},
    )
    clients.eks.create_cluster(
        name="prod",
        roleArn=responder["Role"]["Arn"],
        resourcesVpcConfig={"subnetIds": [subnet]},
        logging={"clusterLogging": [{"types": ["api"], "enabled": True}]},
    )
    clients.logs.create_log_group(logGroupName="/aws/eks/prod/cluster")
    clients.logs.put_retention_policy(logGroupName="/aws/eks/prod/cluster", retentionInDays=7)
    clients.ecs.create_cluster(clusterName="jobs")
    clients.ecs.register_task_definition(
        family="job", containerDefinitions=[{"name": "job", "image": "python:3.12", "memory": 128}]
    )
    clients.ec2.create_launch_template(
        LaunchTemplateName="critical-lt", LaunchTemplateData={"ImageId": AMI}
    )
    clients.autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="critical",
        MinSize=0,
        MaxSize=1,
        DesiredCapacity=0,
        LaunchTemplate={"LaunchTemplateName": "critical-lt"},
        VPCZoneIdentifier=subnet,
        Tags=[{"Key": "prewire:critical", "Value": "true", "PropagateAtLaunch": True}],
    )


EXPECTED_FAILED = {
    "AWS-TRAIL-001",
    "AWS-TRAIL-002",
    "AWS-TRAIL-003",
    "AWS-TRAIL-004",
    "AWS-TRAIL-005",
    "AWS-TRAIL-006",
    "AWS-TRAIL-007",
    "AWS-STORE-001",
    "AWS-STORE-002",
    "AWS-STORE-003",
    "AWS-STORE-004",
    "AWS-STORE-005",
    "AWS-STORE-006",
    "AWS-STORE-007",
    "AWS-STORE-008",
    "AWS-FLOW-001",
    "AWS-FLOW-002",
    "AWS-ISO-001",
    "AWS-ISO-002",
    "AWS-GUARDDUTY-001",
    "AWS-CONFIG-001",
    "AWS-SNAP-002",
    "AWS-IAM-001",
    "AWS-IAM-002",
    "AWS-IAM-003",
    "AWS-IAM-004",
    "AWS-IAM-005",
    "AWS-RESP-001",
    "AWS-RESP-002",
    "AWS-RESP-004",
    "AWS-RESP-005",
    "AWS-EKS-001",
    "AWS-EKS-002",
    "AWS-LOGS-001",
    "AWS-LAMBDA-001",
    "AWS-LAMBDA-002",
    "AWS-ECS-001",
    "AWS-ECS-002",
    "AWS-SSM-001",
    "AWS-EBS-001",
    "AWS-ASG-001",
}


def test_an_unready_account_gets_exactly_the_expected_failures(emulator: EmbeddedAws) -> None:
    emulator.reset()
    clients = emulator.clients()
    seed_unready(clients)
    findings = audit_account(clients, ["us-east-1"]).findings
    assert failed(findings) == EXPECTED_FAILED
    # DescribeInstanceInformation, DLM and ListAddons are missing from the emulator
    assert set(unknown(findings)) == {"AWS-RESP-003", "AWS-SNAP-001", "AWS-EKS-003"}


def test_unsupported_apis_are_unknown_with_the_reason_never_passed(emulator: EmbeddedAws) -> None:
    emulator.reset()
    clients = emulator.clients()
    clients.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)
    reasons = unknown(audit_account(clients, ["us-east-1"]).findings)
    assert reasons["AWS-RESP-003"] == "DescribeInstanceInformation is not available on this target"
    assert "DLM GetLifecyclePolicies not available on this target" in reasons["AWS-SNAP-001"]


def allow(clients: AwsClients, role_arn: str, actions: list[str], resource: str) -> None:
    """Widen a deployed role by hand, as someone might, with an inline policy."""
    statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
    clients.iam.put_role_policy(
        RoleName=role_arn.rsplit("/", 1)[-1],
        PolicyName=f"hand-made-{len(actions)}-{actions[0].replace(':', '-')}",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [statement]}),
    )


def test_an_empty_account_is_ready_once_the_stack_is_provisioned(emulator: EmbeddedAws) -> None:
    emulator.reset()
    clients = emulator.clients()
    network = seed_network(clients, "audit")
    clients.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, SubnetId=network.subnet_ids[0])
    before = failed(audit_account(clients, ["us-east-1"]).findings)
    assert {"AWS-TRAIL-001", "AWS-STORE-001", "AWS-ISO-001", "AWS-IAM-002"} <= before
    stage_memory_tool(clients)
    provision(stack_graph("us-east-1"), clients, known=known_vpcs(clients, network))
    after = audit_account(clients, ["us-east-1"]).findings
    assert failed(after) == set()
    assert PLACEHOLDER_VPC not in json.dumps([f.resource for f in after])
    # Someone widens the deployed role by hand: the pre-flight names what lost its scope.
    role = clients.ssm.get_parameter(Name=parameters.RESPONDER_ROLE_ARN)["Parameter"]["Value"]
    allow(clients, role, ["ec2:CreateSnapshots", "ec2:ModifySnapshotAttribute"], "*")
    [widened] = [
        f for f in audit_account(clients, ["us-east-1"]).findings if f.control.id == "AWS-IAM-005"
    ]
    assert widened.status is Status.FAILED
    assert widened.message.endswith(
        "2 action(s) prewire scopes granted on every resource (`*`): "
        "ec2:CreateSnapshots, ec2:ModifySnapshotAttribute"
    )
    # ... or lets it undo a containment, which only break-glass may.
    allow(clients, role, ["iam:DetachRolePolicy"], "arn:aws:iam::123456789012:role/*")
    findings = audit_account(clients, ["us-east-1"]).findings
    verdicts = {f.resource: f for f in findings if f.control.id == "AWS-RESP-002"}
    assert verdicts[role].status is Status.FAILED
    assert (
        verdicts[role].message == "the responder role can undo a containment: iam:DetachRolePolicy"
    )
    [glass] = [f for r, f in verdicts.items() if r != role]
    assert glass.status is Status.PASSED and "release actions allowed" in glass.message


def test_cli_audit_formats_and_exit_codes(
    emulator: EmbeddedAws, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    emulator.reset()
    for key, value in emulator.environment().items():
        if key != "AWS_ENDPOINT_URL":
            monkeypatch.setenv(key, value)
    clients = emulator.clients()
    clients.ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)
    runner = CliRunner()
    base = ["audit", "aws", "--region", "us-east-1", "--endpoint-url", emulator.url]
    result = runner.invoke(app, [*base, "--format", "json"])
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    trail = next(f for f in document["findings"] if f["control"] == "AWS-TRAIL-001")
    assert trail["status"] == "failed" and trail["account"] == "123456789012"
    page = tmp_path / "audit.html"
    result = runner.invoke(app, [*base, "--format", "html", "--output", str(page)])
    html = page.read_text()
    assert "Readiness score" in html and "EC2 volumes (EBS snapshots)" in html
    assert "123456789012/us-east-1" in html


def test_org_role_audits_every_account_in_parallel(emulator: EmbeddedAws) -> None:
    from policies.live.aws.audit import audit_organization

    emulator.reset()
    clients = emulator.clients()
    organizations = clients.client("organizations")
    organizations.create_organization(FeatureSet="ALL")
    for name in ("workload-a", "workload-b"):
        organizations.create_account(AccountName=name, Email=f"{name}@example.com")
    results = audit_organization(clients, "OrganizationAccountAccessRole", ["us-east-1"])
    accounts = {r.account for r in results}
    assert len(accounts) == 3 and "123456789012" in accounts
    for result in results:
        assert result.error is None
        assert {f.location["account"] for f in result.findings} == {result.account}
        assert "AWS-TRAIL-001" in failed(result.findings)  # nothing is deployed in any of them
